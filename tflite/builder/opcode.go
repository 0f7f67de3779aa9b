package builder

import "fmt"

// Opcode is a TFLite builtin operator code; the values equal TFLite's
// BuiltinOperator enum.
type Opcode int32

// Builtin operators the engine supports, plus Custom for custom-op tests.
// Any other BuiltinOperator value may be converted to Opcode and written.
const (
	OpAdd                   Opcode = 0
	OpAveragePool2D         Opcode = 1
	OpConcatenation         Opcode = 2
	OpConv2D                Opcode = 3
	OpDepthwiseConv2D       Opcode = 4
	OpDequantize            Opcode = 6
	OpFullyConnected        Opcode = 9
	OpLogistic              Opcode = 14
	OpMaxPool2D             Opcode = 17
	OpMul                   Opcode = 18
	OpRelu                  Opcode = 19
	OpRelu6                 Opcode = 21
	OpReshape               Opcode = 22
	OpResizeBilinear        Opcode = 23
	OpSoftmax               Opcode = 25
	OpTanh                  Opcode = 28
	OpCustom                Opcode = 32
	OpPad                   Opcode = 34
	OpTranspose             Opcode = 39
	OpMean                  Opcode = 40
	OpSub                   Opcode = 41
	OpSqueeze               Opcode = 43
	OpStridedSlice          Opcode = 45
	OpArgMax                Opcode = 56
	OpPadV2                 Opcode = 60
	OpResizeNearestNeighbor Opcode = 97
	OpLeakyRelu             Opcode = 98
	OpQuantize              Opcode = 114
	OpHardSwish             Opcode = 117
)

var opcodeNames = map[Opcode]string{
	OpAdd: "ADD", OpAveragePool2D: "AVERAGE_POOL_2D", OpConcatenation: "CONCATENATION",
	OpConv2D: "CONV_2D", OpDepthwiseConv2D: "DEPTHWISE_CONV_2D", OpDequantize: "DEQUANTIZE",
	OpFullyConnected: "FULLY_CONNECTED", OpLogistic: "LOGISTIC", OpMaxPool2D: "MAX_POOL_2D",
	OpMul: "MUL", OpRelu: "RELU", OpRelu6: "RELU6", OpReshape: "RESHAPE",
	OpResizeBilinear: "RESIZE_BILINEAR", OpSoftmax: "SOFTMAX", OpTanh: "TANH", OpCustom: "CUSTOM",
	OpPad: "PAD", OpTranspose: "TRANSPOSE", OpMean: "MEAN", OpSub: "SUB", OpSqueeze: "SQUEEZE",
	OpStridedSlice: "STRIDED_SLICE", OpArgMax: "ARG_MAX", OpPadV2: "PADV2",
	OpResizeNearestNeighbor: "RESIZE_NEAREST_NEIGHBOR", OpLeakyRelu: "LEAKY_RELU",
	OpQuantize: "QUANTIZE", OpHardSwish: "HARD_SWISH",
}

// String returns TFLite's name of the operator ("CONV_2D").
func (c Opcode) String() string {
	if s, ok := opcodeNames[c]; ok {
		return s
	}
	return fmt.Sprintf("BUILTIN_%d", int32(c))
}

// defaultVersion returns the operator version TFLite's converter writes for
// an operator whose first input has type in. TFLite refuses an operator
// whose version its resolver does not register, so the builder picks the
// lowest version that covers the input type.
func defaultVersion(c Opcode, in DType) int32 {
	switch in {
	case Int8:
		switch c {
		case OpFullyConnected:
			return 4
		case OpConv2D, OpDepthwiseConv2D:
			return 3
		case OpReshape, OpSqueeze, OpHardSwish, OpQuantize:
			return 1
		}
		return 2
	case Float16:
		if c == OpDequantize {
			return 2 // what converters write for float16 weights
		}
	}
	return 1
}
