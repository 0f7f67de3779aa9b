package kernel

// prepareQuantize is a placeholder until the kernel lands.
func prepareQuantize(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
