package kernel

import "math"

// prepareTanh validates a TANH node; it has no options.
func prepareTanh(n *Node) (Op, error) {
	return newTanh(n)
}

// newTanh prepares TANH. Quantized tensors must have the output scale 1/128
// and zero point 0 (int8) or 128 (uint8), as TFLite requires; they use a
// 256-entry table like LOGISTIC.
func newTanh(n *Node) (Op, error) {
	return newTableActivation(n, 1.0/128, 0,
		func(v float32) float32 { return float32(math.Tanh(float64(v))) },
		math.Tanh)
}
