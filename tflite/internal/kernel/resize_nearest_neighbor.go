package kernel

// prepareResizeNearestNeighbor is a placeholder until the kernel lands.
func prepareResizeNearestNeighbor(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
