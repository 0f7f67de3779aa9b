package kernel

// prepareSoftmax is a placeholder until the kernel lands.
func prepareSoftmax(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
