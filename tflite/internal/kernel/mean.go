package kernel

// prepareMean is a placeholder until the kernel lands.
func prepareMean(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
