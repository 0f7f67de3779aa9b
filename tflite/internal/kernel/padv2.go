package kernel

// preparePadV2 is a placeholder until the kernel lands.
func preparePadV2(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
