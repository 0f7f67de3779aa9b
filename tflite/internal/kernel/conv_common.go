package kernel

import (
	"math"
	"unsafe"

	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// This file holds what CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED share:
// the spatial geometry of the two convolutions and the requantization
// parameters of all three.

// quantElem is the element type of a quantized activation tensor the
// convolution kernels run on.
type quantElem interface{ int8 | uint8 }

// copyBytes copies min(len) bytes of src into dst viewed as bytes.
func copyBytes[T quantElem](dst []T, src []byte) {
	copy(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), len(dst)), src)
}

// convSpatial holds the padding, stride and dilation options of a
// convolution before they are checked.
type convSpatial struct {
	padding              schema.Padding
	strideH, strideW     int
	dilationH, dilationW int
}

// convGeometry is the NHWC layout of a 2-D convolution: input, filter and
// output extents, strides, dilations, leading padding, and for every output
// row and column the range of filter taps that land inside the input, so
// the inner loops never test bounds.
type convGeometry struct {
	batches              int
	inH, inW, inC        int
	filterH, filterW     int
	outH, outW, outC     int
	strideH, strideW     int
	dilationH, dilationW int
	padH, padW           int
	// rowTaps[oy] and colTaps[ox] are the [lo, hi) filter tap ranges.
	rowTaps, colTaps []convTapRange
}

// convTapRange is a half-open range of filter taps.
type convTapRange struct{ lo, hi int }

// newConvGeometry checks the options, the rank-4 input and the output shape
// against what the convolution computes, and precomputes tap ranges.
// filterH/filterW come from the filter tensor, outC from the op.
func newConvGeometry(n *Node, sp convSpatial, in, out *tensor.Tensor, filterH, filterW, outC int) (convGeometry, error) {
	var g convGeometry
	if sp.padding != schema.PaddingSAME && sp.padding != schema.PaddingVALID {
		return g, n.Unsupportedf("padding %d", sp.padding)
	}
	if sp.strideH < 1 || sp.strideW < 1 {
		return g, n.Errorf("stride %dx%d (h×w), want ≥ 1", sp.strideH, sp.strideW)
	}
	if sp.dilationH < 1 || sp.dilationW < 1 {
		return g, n.Errorf("dilation %dx%d (h×w), want ≥ 1", sp.dilationH, sp.dilationW)
	}
	if len(in.Shape) != 4 {
		return g, n.Errorf("input %q has shape %s, want rank 4 (NHWC)", in.Name, tensor.ShapeString(in.Shape))
	}
	for i, d := range in.Shape {
		if d < 1 {
			return g, n.Errorf("input %q dimension %d is %d, want ≥ 1", in.Name, i, d)
		}
	}
	if filterH < 1 || filterW < 1 || outC < 1 {
		return g, n.Errorf("filter %dx%d with %d output channels, want all ≥ 1", filterH, filterW, outC)
	}
	g = convGeometry{
		batches: in.Shape[0], inH: in.Shape[1], inW: in.Shape[2], inC: in.Shape[3],
		filterH: filterH, filterW: filterW, outC: outC,
		strideH: sp.strideH, strideW: sp.strideW,
		dilationH: sp.dilationH, dilationW: sp.dilationW,
	}
	// A fused PAD (Node.InputPad) widens the input the VALID output size
	// is computed from; its top and left amounts become the op's padding.
	var ip InputPad
	if n.InputPad != nil {
		if sp.padding != schema.PaddingVALID {
			return g, n.Errorf("fused input padding with %s padding, want VALID", schema.EnumNamesPadding[sp.padding])
		}
		ip = *n.InputPad
	}
	g.outH = computeOutSize(sp.padding, g.inH+ip.Top+ip.Bottom, filterH, g.strideH, g.dilationH)
	g.outW = computeOutSize(sp.padding, g.inW+ip.Left+ip.Right, filterW, g.strideW, g.dilationW)
	if g.outH < 1 || g.outW < 1 {
		return g, n.Errorf("filter %dx%d (dilation %dx%d) does not fit input %q %s with %s padding",
			filterH, filterW, g.dilationH, g.dilationW, in.Name, tensor.ShapeString(in.Shape), schema.EnumNamesPadding[sp.padding])
	}
	want := []int{g.batches, g.outH, g.outW, outC}
	if !equalShape(out.Shape, want) {
		return g, n.Errorf("output %q has shape %s, want %s", out.Name, tensor.ShapeString(out.Shape), tensor.ShapeString(want))
	}
	g.padH = computePadding(sp.padding, g.strideH, g.dilationH, g.inH, filterH, g.outH) + ip.Top
	g.padW = computePadding(sp.padding, g.strideW, g.dilationW, g.inW, filterW, g.outW) + ip.Left
	g.rowTaps = convTaps(g.outH, g.strideH, g.padH, g.dilationH, g.inH, filterH)
	g.colTaps = convTaps(g.outW, g.strideW, g.padW, g.dilationW, g.inW, filterW)
	return g, nil
}

// convTaps returns, for each output position along one dimension, the taps
// k in [0, filter) whose input position origin + k·dilation lies in [0, in).
// Taps outside the input are skipped, which equals padding with the input
// zero point (quantized) or 0 (float), as TFLite's reference kernels do.
func convTaps(outSize, stride, pad, dilation, in, filter int) []convTapRange {
	taps := make([]convTapRange, outSize)
	for o := range taps {
		origin := o*stride - pad
		lo := 0
		if origin < 0 {
			lo = (-origin + dilation - 1) / dilation
		}
		hi := filter
		if last := origin + (filter-1)*dilation; last >= in {
			// Taps with origin + k·dilation < in, i.e. k < ceil((in-origin)/dilation).
			hi = max(0, (in-origin+dilation-1)/dilation)
		}
		taps[o] = convTapRange{lo: min(lo, filter), hi: max(hi, min(lo, filter))}
	}
	return taps
}

// multiplierRule selects how the real requantization multiplier is computed,
// because TFLite rounds it differently per op and type.
type multiplierRule int

const (
	// perChannelRule is PopulateConvolutionQuantizationParams' loop:
	// double(input_scale) · double(filter_scale[c]) / double(output_scale),
	// used by int8 CONV_2D/DEPTHWISE_CONV_2D (per-tensor filters too) and
	// per-channel FULLY_CONNECTED.
	perChannelRule multiplierRule = iota
	// legacyRule is GetQuantizedConvolutionMultipler:
	// double(float(input_scale · filter_scale)) / double(output_scale),
	// used by the uint8 kernels and per-tensor FULLY_CONNECTED; it also
	// checks the bias scale against input_scale · filter_scale.
	legacyRule
)

// convQuant holds the integer parameters of a quantized convolution-like
// op. Multipliers are stored per output channel even when the filter is
// per-tensor, so the inner loop indexes one table either way.
type convQuant struct {
	inputOffset  int32 // −input zero point
	filterOffset int32 // −filter zero point (0 for symmetric int8)
	outputOffset int32 // output zero point
	multiplier   []int32
	shift        []int
	actMin       int32
	actMax       int32
}

// convQuantSpec describes where a filter keeps its output channels.
type convQuantSpec struct {
	channels  int // output channels (= per-axis scale count)
	quantDim  int // filter dimension that per-axis quantization must use
	rule      multiplierRule
	symmetric bool // filter zero points must be 0 (int8 CONV/DEPTHWISE)
}

// newConvQuant validates the quantization of input, filter, bias (may be
// nil) and output and computes requantization parameters.
func newConvQuant(n *Node, spec convQuantSpec, in, filter, bias, out *tensor.Tensor, act schema.ActivationFunctionType) (convQuant, error) {
	var q convQuant
	for _, t := range []*tensor.Tensor{in, out} {
		if len(t.Scale) != 1 {
			return q, n.Errorf("tensor %q has %d scales, want 1 (per-tensor quantization)", t.Name, len(t.Scale))
		}
		if s := t.Scale[0]; !(s > 0) || math.IsInf(float64(s), 0) {
			return q, n.Errorf("tensor %q has scale %g, want a finite value > 0", t.Name, s)
		}
	}
	nScales := len(filter.Scale)
	switch {
	case nScales == 0:
		return q, n.Errorf("filter %q has no quantization parameters", filter.Name)
	case nScales > 1:
		if nScales != spec.channels {
			return q, n.Errorf("filter %q has %d per-axis scales, want %d (one per output channel)", filter.Name, nScales, spec.channels)
		}
		if filter.QuantizedDim != spec.quantDim {
			return q, n.Errorf("filter %q is quantized along dimension %d, want %d", filter.Name, filter.QuantizedDim, spec.quantDim)
		}
		if filter.Type != tensor.Int8 {
			return q, n.Unsupportedf("per-channel quantization of %s filter %q", filter.Type, filter.Name)
		}
	}
	if nz := len(filter.ZeroPoint); nz > 1 && nz != nScales {
		return q, n.Errorf("filter %q has %d zero points for %d scales", filter.Name, nz, nScales)
	}
	for c, s := range filter.Scale {
		if !(s >= 0) || math.IsInf(float64(s), 0) {
			return q, n.Errorf("filter %q scale[%d] is %g, want a finite value ≥ 0", filter.Name, c, s)
		}
	}
	if nScales > 1 || spec.symmetric {
		for c, zp := range filter.ZeroPoint {
			if zp != 0 {
				return q, n.Unsupportedf("filter %q zero point[%d] is %d, want 0 (symmetric)", filter.Name, c, zp)
			}
		}
	}

	q.inputOffset = -in.ZeroPointAt(0)
	q.filterOffset = -filter.ZeroPointAt(0)
	q.outputOffset = out.ZeroPointAt(0)
	q.multiplier = make([]int32, spec.channels)
	q.shift = make([]int, spec.channels)

	inScale, outScale := in.Scale[0], out.Scale[0]
	switch spec.rule {
	case perChannelRule:
		for c := range q.multiplier {
			real := float64(inScale) * float64(filter.ScaleAt(c)) / float64(outScale)
			q.multiplier[c], q.shift[c] = fixedpoint.QuantizeMultiplier(real)
		}
	case legacyRule:
		if nScales > 1 {
			return q, n.Errorf("filter %q: the per-tensor multiplier rule got %d scales", filter.Name, nScales)
		}
		// The explicit float32 conversion keeps the product rounded to
		// float, as TFLite computes it, before widening to double.
		product := float64(float32(inScale * filter.Scale[0]))
		if bias != nil {
			if err := convCheckLegacyBiasScale(n, bias, product); err != nil {
				return q, err
			}
		}
		m, s := fixedpoint.QuantizeMultiplier(product / float64(outScale))
		for c := range q.multiplier {
			q.multiplier[c], q.shift[c] = m, s
		}
	}

	lo, hi, err := quantizedActivationRange(n, act, out)
	if err != nil {
		return q, err
	}
	q.actMin, q.actMax = lo, hi
	return q, nil
}

// convCheckLegacyBiasScale enforces GetQuantizedConvolutionMultipler's rule
// that the bias scale equals input_scale · filter_scale within 1e-6
// relative; TFLite refuses the model otherwise.
func convCheckLegacyBiasScale(n *Node, bias *tensor.Tensor, product float64) error {
	var biasScale float64
	if len(bias.Scale) > 0 {
		biasScale = float64(bias.Scale[0])
	}
	if math.Abs(product-biasScale) > 1e-6*math.Min(product, biasScale) {
		return n.Errorf("bias %q scale %g differs from input scale × filter scale %g", bias.Name, biasScale, product)
	}
	return nil
}

// convCheckBias validates an optional bias: type want, one element per
// output channel. It returns nil when bias is absent.
func convCheckBias(n *Node, bias *tensor.Tensor, want tensor.DType, channels int) error {
	if bias == nil {
		return nil
	}
	if bias.Type != want {
		return n.Unsupportedf("bias %q has type %s, want %s", bias.Name, bias.Type, want)
	}
	if got := bias.NumElements(); got != channels || len(bias.Shape) > 1 && bias.Shape[len(bias.Shape)-1] != channels {
		return n.Errorf("bias %q has shape %s, want %d elements (one per output channel)", bias.Name, tensor.ShapeString(bias.Shape), channels)
	}
	return nil
}

// convCheckConst verifies that a tensor the op precomputes from is constant
// and carries all its bytes.
func convCheckConst(n *Node, t *tensor.Tensor, role string) error {
	if !t.Const {
		return n.Unsupportedf("%s %q is not constant", role, t.Name)
	}
	if len(t.Data) != t.ByteSize() {
		return n.Errorf("%s %q has %d bytes, want %d", role, t.Name, len(t.Data), t.ByteSize())
	}
	return nil
}

// convClamp limits v to [lo, hi].
func convClamp(v, lo, hi int32) int32 {
	return min(max(v, lo), hi)
}
