package kernel

// prepareResizeBilinear is a placeholder until the kernel lands.
func prepareResizeBilinear(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
