package kernel

// prepareConcatenation is a placeholder until the kernel lands.
func prepareConcatenation(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
