package inference

import "fmt"

// Datatype names of the v2 protocol.
const (
	DatatypeBool  = "BOOL"
	DatatypeUint8 = "UINT8"
	DatatypeInt8  = "INT8"
	DatatypeInt16 = "INT16"
	DatatypeInt32 = "INT32"
	DatatypeInt64 = "INT64"
	DatatypeFP16  = "FP16"
	DatatypeFP32  = "FP32"
)

// elem describes how one tensor element type is stored and which v2
// datatype carries it raw.
type elem struct {
	datatype string
	size     int
	// lo and hi bound raw integer values (int64 to what a float64 holds
	// exactly, since JSON numbers are parsed as float64).
	lo, hi  int64
	integer bool
}

// lookupElem returns the storage of a TFLite dtype name (as
// manifest.TensorSpec spells it).
func lookupElem(dtype string) (elem, error) {
	switch dtype {
	case "bool":
		return elem{datatype: DatatypeBool, size: 1, lo: 0, hi: 1, integer: true}, nil
	case "uint8":
		return elem{datatype: DatatypeUint8, size: 1, lo: 0, hi: 255, integer: true}, nil
	case "int8":
		return elem{datatype: DatatypeInt8, size: 1, lo: -128, hi: 127, integer: true}, nil
	case "int16":
		return elem{datatype: DatatypeInt16, size: 2, lo: -32768, hi: 32767, integer: true}, nil
	case "int32":
		return elem{datatype: DatatypeInt32, size: 4, lo: -1 << 31, hi: 1<<31 - 1, integer: true}, nil
	case "int64":
		return elem{datatype: DatatypeInt64, size: 8, lo: -1 << 53, hi: 1 << 53, integer: true}, nil
	case "float32":
		return elem{datatype: DatatypeFP32, size: 4}, nil
	}
	return elem{}, fmt.Errorf("tensor dtype %q is not supported by the inference API (supported: bool, uint8, int8, int16, int32, int64, float32)", dtype)
}
