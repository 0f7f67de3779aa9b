package kernel

// prepareTanh is a placeholder until the kernel lands.
func prepareTanh(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
