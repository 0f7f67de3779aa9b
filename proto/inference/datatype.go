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
	// lo and hi bound raw integer values; both zero for floats.
	lo, hi int64
	integer bool
}

// elems maps TFLite dtype names (as manifest.TensorSpec spells them) to
// their storage.
var elems = map[string]elem{
	"bool":    {datatype: DatatypeBool, size: 1, lo: 0, hi: 1, integer: true},
	"uint8":   {datatype: DatatypeUint8, size: 1, lo: 0, hi: 255, integer: true},
	"int8":    {datatype: DatatypeInt8, size: 1, lo: -128, hi: 127, integer: true},
	"int16":   {datatype: DatatypeInt16, size: 2, lo: -32768, hi: 32767, integer: true},
	"int32":   {datatype: DatatypeInt32, size: 4, lo: -1 << 31, hi: 1<<31 - 1, integer: true},
	"int64":   {datatype: DatatypeInt64, size: 8, lo: -1 << 53, hi: 1 << 53, integer: true},
	"float32": {datatype: DatatypeFP32, size: 4},
}

// lookupElem returns the storage of a TFLite dtype name.
func lookupElem(dtype string) (elem, error) {
	e, ok := elems[dtype]
	if !ok {
		return elem{}, fmt.Errorf("tensor dtype %q is not supported by the inference API (supported: bool, uint8, int8, int16, int32, int64, float32)", dtype)
	}
	return e, nil
}
