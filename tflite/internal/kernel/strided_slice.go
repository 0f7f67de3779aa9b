package kernel

// prepareStridedSlice is a placeholder until the kernel lands.
func prepareStridedSlice(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
