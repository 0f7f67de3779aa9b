package kernel

// prepareArgMax is a placeholder until the kernel lands.
func prepareArgMax(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
