package kernel

import (
	"math"
	"unsafe"

	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// prepareDequantize validates a DEQUANTIZE node; it has no options.
func prepareDequantize(n *Node) (Op, error) {
	return newDequantize(n)
}

// newDequantize prepares DEQUANTIZE to float32 from int8, uint8 or int16
// (per-tensor, or per-axis like TFLite's PerChannelDequantize) and from
// float16, whose bits are widened exactly.
func newDequantize(n *Node) (Op, error) {
	if err := n.CheckArity(1, 1, 1); err != nil {
		return nil, err
	}
	in, out := n.Inputs[0], n.Outputs[0]
	if out.Type != tensor.Float32 {
		return nil, n.Unsupportedf("output %q has type %s, want float32", out.Name, out.Type)
	}
	if !tensor.SameShape(in, out) {
		return nil, n.Errorf("output %q has shape %s, want input %q's %s", out.Name, tensor.ShapeString(out.Shape), in.Name, tensor.ShapeString(in.Shape))
	}
	switch in.Type {
	case tensor.Float16:
		return &dequantizeFloat16{in: in, out: out}, nil
	case tensor.Int8, tensor.Uint8, tensor.Int16:
	default:
		return nil, n.Unsupportedf("input %q has type %s, want int8, uint8, int16 or float16", in.Name, in.Type)
	}
	ax, err := newDequantAxis(n, in)
	if err != nil {
		return nil, err
	}
	switch in.Type {
	case tensor.Int8:
		return &dequantizeInt[int8]{in: in, out: out, ax: ax}, nil
	case tensor.Uint8:
		return &dequantizeInt[uint8]{in: in, out: out, ax: ax}, nil
	}
	return &dequantizeInt[int16]{in: in, out: out, ax: ax}, nil
}

// dequantAxis describes per-tensor (one channel) or per-axis quantization:
// element i belongs to channel (i / inner) % len(scale).
type dequantAxis struct {
	scale []float64
	zp    []int32
	inner int
}

func newDequantAxis(n *Node, in *tensor.Tensor) (dequantAxis, error) {
	if len(in.Scale) == 0 {
		return dequantAxis{}, n.Errorf("input %q has no quantization parameters", in.Name)
	}
	ax := dequantAxis{inner: in.NumElements()}
	if len(in.Scale) > 1 {
		d := in.QuantizedDim
		if d < 0 || d >= len(in.Shape) || in.Shape[d] != len(in.Scale) {
			return dequantAxis{}, n.Errorf("input %q has %d scales for quantized dimension %d of shape %s", in.Name, len(in.Scale), d, tensor.ShapeString(in.Shape))
		}
		ax.inner = 1
		for _, s := range in.Shape[d+1:] {
			ax.inner *= s
		}
	}
	if len(in.ZeroPoint) > 1 && len(in.ZeroPoint) != len(in.Scale) {
		return dequantAxis{}, n.Errorf("input %q has %d zero points for %d scales", in.Name, len(in.ZeroPoint), len(in.Scale))
	}
	for c, s := range in.Scale {
		if math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) {
			return dequantAxis{}, n.Errorf("input %q has scale %g at channel %d", in.Name, s, c)
		}
		// TFLite keeps the scale in a double and rounds the product to
		// float once.
		ax.scale = append(ax.scale, float64(s))
		ax.zp = append(ax.zp, in.ZeroPointAt(c))
	}
	if ax.inner == 0 {
		ax.inner = 1
	}
	return ax, nil
}

// dequantizeInt is DEQUANTIZE from an integer type.
type dequantizeInt[T int8 | uint8 | int16] struct {
	in, out *tensor.Tensor
	ax      dequantAxis
}

// Eval computes the output.
func (k *dequantizeInt[T]) Eval() error {
	x := dequantElems[T](k.in)
	y := k.out.Float32()
	channels := len(k.ax.scale)
	for i, v := range x {
		c := (i / k.ax.inner) % channels
		y[i] = float32(k.ax.scale[c] * float64(int32(v)-k.ax.zp[c]))
	}
	return nil
}

// dequantElems views a tensor's data as []T in place (the loader aligns
// tensor data for its element type).
func dequantElems[T int8 | uint8 | int16](t *tensor.Tensor) []T {
	var z T
	size := int(unsafe.Sizeof(z))
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(t.Data))), len(t.Data)/size)
}

// dequantizeFloat16 is DEQUANTIZE from IEEE half precision.
type dequantizeFloat16 struct {
	in, out *tensor.Tensor
}

// Eval computes the output.
func (k *dequantizeFloat16) Eval() error {
	x, y := k.in.Uint16(), k.out.Float32()
	for i, h := range x {
		y[i] = float16ToFloat32(h)
	}
	return nil
}

// float16ToFloat32 widens IEEE 754 binary16 bits exactly, including
// subnormals, infinities and NaN payloads.
func float16ToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN: keep the payload's top bits.
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp != 0: // normal: rebias 15 → 127.
		return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
	case frac == 0:
		return math.Float32frombits(sign)
	}
	// Subnormal: value = frac × 2^-24, normal in float32.
	f := float32(frac) * (1.0 / (1 << 24))
	if sign != 0 {
		f = -f
	}
	return f
}
