package kernel

// prepareMul is a placeholder until the kernel lands.
func prepareMul(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
