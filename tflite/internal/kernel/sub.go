package kernel

// prepareSub is a placeholder until the kernel lands.
func prepareSub(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
