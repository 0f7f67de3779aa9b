package kernel

// prepareRelu is a placeholder until the kernel lands.
func prepareRelu(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
