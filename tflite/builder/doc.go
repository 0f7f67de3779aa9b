// Package builder writes TensorFlow Lite (.tflite) models from Go, so tests,
// tools and demos can make small models without the TFLite converter.
//
// Build a graph with a Builder; tensor and operator methods return indices
// and the first mistake is reported by Finish:
//
//	b := builder.New()
//	x := b.Input("x", builder.Int8, []int{1, 8}, builder.PerTensor(1.0/32, 0))
//	w := b.ConstInt8("w", []int{4, 8}, weights, builder.PerTensor(0.01, 0))
//	bias := b.ConstInt32("b", nil, biases, builder.PerTensor(0.01/32, 0))
//	y := b.Tensor("y", builder.Int8, []int{1, 4}, builder.PerTensor(0.1, 0))
//	b.Op(builder.FullyConnected{Activation: builder.ActRelu}, []int{x, w, bias}, []int{y})
//	b.Output(y)
//	buf, err := b.Finish() // "TFL3", schema version 3, buffer 0 empty
//
// Each supported builtin has an options struct (Conv2D, DepthwiseConv2D,
// FullyConnected, AveragePool2D, MaxPool2D, Softmax, Add, Sub, Mul,
// Reshape, Squeeze, Transpose, Concatenation, Pad, PadV2, Mean,
// StridedSlice, ArgMax, ResizeBilinear, ResizeNearestNeighbor, Quantize,
// Dequantize, Relu, Relu6, Logistic, Tanh, HardSwish, LeakyRelu). Operator
// versions are the ones TFLite's converter writes for the first input's
// type, so TFLite itself (2.2 and later) loads the files.
//
// Deliberately broken files, for loader tests: take the checked graph with
// Builder.Model, edit the returned Model (any index, buffer, operator code,
// options, or OmitIdentifier), then write it with Model.Encode, which
// checks nothing.
//
// Ready-made deterministic models: TinyClassifier (int8),
// TinyClassifierFloat, TinyClassifierUint8 and SmallConvNet (int8 vision
// ops); the tools/cmd/modelgen command writes them to a directory.
package builder
