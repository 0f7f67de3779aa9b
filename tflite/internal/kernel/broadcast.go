package kernel

import (
	"slices"
	"unsafe"

	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// maxBroadcastRank is the highest rank binary elementwise ops accept; TFLite
// 2.2's broadcasting kernels (NdArrayDesc<4>) stop at 4-D too.
const maxBroadcastRank = 4

// broadcast4 maps each output element of a binary elementwise op to the
// elements of its two inputs, like TFLite's NdArrayDesc: shapes are
// right-aligned and padded to 4-D with leading ones, and an input dimension
// of extent 1 gets stride 0 so its single element is reused.
type broadcast4 struct {
	dims   [4]int // output extents
	stride [2][4]int
	// same reports identical input shapes: elementwise, no index maths.
	same bool
}

// newBroadcast4 checks that a and b broadcast to out's shape and returns the
// index mapping.
func newBroadcast4(n *Node, a, b, out *tensor.Tensor) (*broadcast4, error) {
	for _, t := range []*tensor.Tensor{a, b, out} {
		if len(t.Shape) > maxBroadcastRank {
			return nil, n.Unsupportedf("tensor %q has rank %d, max %d", t.Name, len(t.Shape), maxBroadcastRank)
		}
	}
	bc := &broadcast4{same: tensor.SameShape(a, b)}
	ext := func(t *tensor.Tensor) [4]int {
		d := [4]int{1, 1, 1, 1}
		copy(d[4-len(t.Shape):], t.Shape)
		return d
	}
	da, db := ext(a), ext(b)
	for i := range 4 {
		switch {
		case da[i] == db[i]:
			bc.dims[i] = da[i]
		case da[i] == 1:
			bc.dims[i] = db[i]
		case db[i] == 1:
			bc.dims[i] = da[i]
		default:
			return nil, n.Errorf("inputs %q %s and %q %s do not broadcast", a.Name, tensor.ShapeString(a.Shape), b.Name, tensor.ShapeString(b.Shape))
		}
	}
	rank := max(len(a.Shape), len(b.Shape))
	want := bc.dims[4-rank:]
	if len(out.Shape) != rank || !slices.Equal(out.Shape, want) {
		return nil, n.Errorf("output %q has shape %s, want %s", out.Name, tensor.ShapeString(out.Shape), tensor.ShapeString(want))
	}
	for k, d := range [2][4]int{da, db} {
		s := 1
		for i := 3; i >= 0; i-- {
			if d[i] != 1 {
				bc.stride[k][i] = s
			}
			s *= d[i]
		}
	}
	return bc, nil
}

// each calls fn with the flat output index and the matching flat indices of
// the two inputs, in output order.
func (bc *broadcast4) each(fn func(o, i, j int)) {
	s1, s2 := bc.stride[0][3], bc.stride[1][3]
	bc.eachRow(func(o, i, j int) {
		for e := 0; e < bc.dims[3]; e++ {
			fn(o+e, i+e*s1, j+e*s2)
		}
	})
}

// eachRow calls fn for every run of dims[3] output elements (a row) with
// the flat indices of its first output element and of the matching first
// elements of the two inputs, in output order.
func (bc *broadcast4) eachRow(fn func(o, i, j int)) {
	d, s1, s2 := bc.dims, bc.stride[0], bc.stride[1]
	o := 0
	for a := 0; a < d[0]; a++ {
		for b := 0; b < d[1]; b++ {
			for c := 0; c < d[2]; c++ {
				fn(o, a*s1[0]+b*s1[1]+c*s1[2], a*s2[0]+b*s2[1]+c*s2[2])
				o += d[3]
			}
		}
	}
}

// ewQuant is the element type of the 8-bit quantized elementwise kernels
// in this package (arithmetic, activations, softmax, mean).
type ewQuant interface{ int8 | uint8 }

// ewElems views a tensor's data as []T without copying; T must match the
// tensor's type, which prepare checked.
func ewElems[T ewQuant](t *tensor.Tensor) []T {
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(t.Data))), len(t.Data))
}

// ewRange returns the representable range of T.
func ewRange[T ewQuant]() (lo, hi int32) {
	var z T
	switch any(z).(type) {
	case int8:
		return -128, 127
	}
	return 0, 255
}
