package kernel

// prepareHardSwish is a placeholder until the kernel lands.
func prepareHardSwish(n *Node) (Op, error) {
	return nil, n.Unsupportedf("not implemented yet")
}
