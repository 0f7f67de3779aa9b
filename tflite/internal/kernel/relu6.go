package kernel

// prepareRelu6 is a placeholder until the kernel lands.
func prepareRelu6(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
