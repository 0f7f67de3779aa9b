package kernel

// preparePad is a placeholder until the kernel lands.
func preparePad(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
