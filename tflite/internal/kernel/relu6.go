package kernel

// prepareRelu6 validates a RELU6 node; it has no options.
func prepareRelu6(n *Node) (Op, error) {
	return newRelu6(n)
}

// newRelu6 prepares RELU6: min(max(0, x), 6), with RELU's quantized
// requantize-and-clamp scheme.
func newRelu6(n *Node) (Op, error) {
	return newClampActivation(n, 0, 6)
}
