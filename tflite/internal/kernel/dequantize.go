package kernel

// prepareDequantize is a placeholder until the kernel lands.
func prepareDequantize(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
