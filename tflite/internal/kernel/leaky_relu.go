package kernel

// prepareLeakyRelu is a placeholder until the kernel lands.
func prepareLeakyRelu(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
