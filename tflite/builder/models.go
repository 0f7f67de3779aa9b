package builder

import "fmt"

// Ready-made models for tests and demos. Each is deterministic: the same
// seed gives the same bytes on every platform. Weights are drawn uniform
// from splitmix64 and quantized the way TFLite's converter does
// (symmetric int8 weights, int32 biases at input_scale×weight_scale).

// Shapes of the tiny classifiers.
const (
	TinyInputs  = 8 // features of the tiny classifiers' input [1, 8]
	TinyClasses = 4 // classes of their output [1, 4]
)

// Quantization of the tiny classifiers' tensors, exported so tests can
// quantize inputs and read outputs without parsing the model. They are
// functions so that callers cannot change the models by editing a slice.

// TinyInputQuant covers reals in [-4, 4) with int8.
func TinyInputQuant() Quant { return PerTensor(1.0/32, 0) }

// TinyLogitsQuant covers reals in [-12.8, 12.7] with int8.
func TinyLogitsQuant() Quant { return PerTensor(0.1, 0) }

// SoftmaxInt8Quant is TFLite's fixed int8 softmax output quantization.
func SoftmaxInt8Quant() Quant { return PerTensor(1.0/256, -128) }

// tinyWeights draws the float weights [TinyClasses, TinyInputs] in
// [-1, 1) and biases [TinyClasses] in [-0.5, 0.5) of the tiny classifiers.
func tinyWeights(seed uint64) (w, bias []float32) {
	r := NewRand(seed)
	return r.Float32s(TinyClasses*TinyInputs, -1, 1), r.Float32s(TinyClasses, -0.5, 0.5)
}

// TinyClassifier returns an int8 model: input "input" int8 [1, 8] (scale
// 1/32, zero point 0) → FULLY_CONNECTED to 4 logits (scale 0.1) → SOFTMAX
// → output "probabilities" int8 [1, 4] (scale 1/256, zero point -128).
func TinyClassifier(seed uint64) ([]byte, error) {
	wf, bf := tinyWeights(seed)
	ws := SymmetricScale(wf)
	inScale := TinyInputQuant().Scale[0]

	b := New()
	b.Description(fmt.Sprintf("edgefleet tiny int8 classifier, seed %d", seed))
	in := b.Input("input", Int8, []int{1, TinyInputs}, TinyInputQuant())
	w := b.ConstInt8("weights", []int{TinyClasses, TinyInputs}, QuantizeInt8(wf, ws, 0), PerTensor(ws, 0))
	bias := b.ConstInt32("bias", []int{TinyClasses}, QuantizeInt32(bf, inScale*ws), PerTensor(inScale*ws, 0))
	logits := b.Tensor("logits", Int8, []int{1, TinyClasses}, TinyLogitsQuant())
	probs := b.Tensor("probabilities", Int8, []int{1, TinyClasses}, SoftmaxInt8Quant())
	b.Op(FullyConnected{}, []int{in, w, bias}, []int{logits})
	b.Op(Softmax{Beta: 1}, []int{logits}, []int{probs})
	b.Output(probs)
	return b.Finish()
}

// TinyClassifierFloat returns the float32 counterpart of TinyClassifier
// (same weights before quantization): "input" float32 [1, 8] →
// FULLY_CONNECTED → SOFTMAX → "probabilities" float32 [1, 4].
func TinyClassifierFloat(seed uint64) ([]byte, error) {
	wf, bf := tinyWeights(seed)
	b := New()
	b.Description(fmt.Sprintf("edgefleet tiny float32 classifier, seed %d", seed))
	in := b.Input("input", Float32, []int{1, TinyInputs}, Quant{})
	w := b.ConstFloat32("weights", []int{TinyClasses, TinyInputs}, wf)
	bias := b.ConstFloat32("bias", []int{TinyClasses}, bf)
	logits := b.Tensor("logits", Float32, []int{1, TinyClasses}, Quant{})
	probs := b.Tensor("probabilities", Float32, []int{1, TinyClasses}, Quant{})
	b.Op(FullyConnected{}, []int{in, w, bias}, []int{logits})
	b.Op(Softmax{Beta: 1}, []int{logits}, []int{probs})
	b.Output(probs)
	return b.Finish()
}

// TinyUint8InputQuant is the uint8 tiny classifier's input quantization.
func TinyUint8InputQuant() Quant { return PerTensor(1.0/32, 128) }

// TinyUint8LogitsQuant is the uint8 tiny classifier's logits quantization.
func TinyUint8LogitsQuant() Quant { return PerTensor(0.1, 128) }

// SoftmaxUint8Quant is TFLite's fixed uint8 softmax output quantization.
func SoftmaxUint8Quant() Quant { return PerTensor(1.0/256, 0) }

// TinyClassifierUint8 returns the legacy uint8 counterpart of
// TinyClassifier: asymmetric uint8 everywhere (weights zero point 128),
// "input" uint8 [1, 8] → FULLY_CONNECTED → SOFTMAX → "probabilities"
// uint8 [1, 4] (scale 1/256, zero point 0).
func TinyClassifierUint8(seed uint64) ([]byte, error) {
	wf, bf := tinyWeights(seed)
	ws := SymmetricScale(wf)
	inScale := TinyUint8InputQuant().Scale[0]

	b := New()
	b.Description(fmt.Sprintf("edgefleet tiny uint8 classifier, seed %d", seed))
	in := b.Input("input", Uint8, []int{1, TinyInputs}, TinyUint8InputQuant())
	w := b.ConstUint8("weights", []int{TinyClasses, TinyInputs}, QuantizeUint8(wf, ws, 128), PerTensor(ws, 128))
	bias := b.ConstInt32("bias", []int{TinyClasses}, QuantizeInt32(bf, inScale*ws), PerTensor(inScale*ws, 0))
	logits := b.Tensor("logits", Uint8, []int{1, TinyClasses}, TinyUint8LogitsQuant())
	probs := b.Tensor("probabilities", Uint8, []int{1, TinyClasses}, SoftmaxUint8Quant())
	b.Op(FullyConnected{}, []int{in, w, bias}, []int{logits})
	b.Op(Softmax{Beta: 1}, []int{logits}, []int{probs})
	b.Output(probs)
	return b.Finish()
}
