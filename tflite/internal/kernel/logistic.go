package kernel

// prepareLogistic is a placeholder until the kernel lands.
func prepareLogistic(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
