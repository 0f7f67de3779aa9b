package kernel

// prepareTranspose is a placeholder until the kernel lands.
func prepareTranspose(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
