package kernel

// prepareAdd is a placeholder until the kernel lands.
func prepareAdd(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
