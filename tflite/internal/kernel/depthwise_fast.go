package kernel

import (
	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// depthwiseFast runs a quantized DEPTHWISE_CONV_2D with depth multiplier 1
// channel-innermost: every filter tap multiplies one contiguous run of
// input channels by one contiguous run of weights. Weights are widened to
// int32 with the filter offset added, once per Model.
//
// For a pixel whose taps all lie inside the input (almost every pixel),
// Σ w·(x + inputOffset) = Σ w·x + inputOffset·Σ w, and the second term is
// a per-channel constant folded into the bias ahead of time, so the inner
// loop is a plain multiply-add. Border pixels take the generic loop,
// which skips the padding taps exactly as TFLite does. Output rows are the
// parts split across the worker pool.
type depthwiseFast[T quantElem] struct {
	ref     *depthwiseQuant[T] // the reference loop, for tests
	n       *Node
	g       convGeometry
	q       convQuant
	in, out *tensor.Tensor
	bias    *tensor.Tensor
	consts  *depthwiseConsts
	pool    *parallel.Pool
	biasIn  []int32 // bias for border pixels
	biasAll []int32 // bias + inputOffset·Σ_taps w, for interior pixels
	acc     []int32 // per worker, inC entries

	inData  []T
	outData []T
}

// depthwiseConsts is what the fast kernel derives from the filter.
type depthwiseConsts struct {
	w      []int32 // [tap][channel], filter + filterOffset
	tapSum []int32 // per channel Σ_taps w
}

// newDepthwiseFast returns the fast kernel for multiplier 1, nil otherwise.
func newDepthwiseFast[T quantElem](ref *depthwiseQuant[T]) *depthwiseFast[T] {
	if ref.mult != 1 {
		return nil
	}
	n, g := ref.n, ref.g
	c := constCached(n, "depthwise/int32", func() *depthwiseConsts {
		f := convElems[T](ref.filter)
		dc := &depthwiseConsts{w: make([]int32, len(f)), tapSum: make([]int32, g.outC)}
		for i, v := range f {
			wv := int32(v) + ref.q.filterOffset
			dc.w[i] = wv
			dc.tapSum[i%g.outC] += wv
		}
		return dc
	})
	o := &depthwiseFast[T]{
		ref: ref, n: n, g: g, q: ref.q, in: ref.in, out: ref.out, bias: ref.bias, consts: c, pool: n.Pool,
		biasIn: make([]int32, g.outC), biasAll: make([]int32, g.outC),
		acc: make([]int32, n.Pool.Workers()*g.outC),
	}
	if ref.bias != nil && ref.bias.Const && len(ref.bias.Data) > 0 {
		o.setBias(ref.bias.Int32())
	} else {
		o.setBias(nil)
	}
	return o
}

func (o *depthwiseFast[T]) setBias(b []int32) {
	for c := range o.biasIn {
		var v int32
		if b != nil {
			v = b[c]
		}
		o.biasIn[c] = v
		o.biasAll[c] = v + o.q.inputOffset*o.consts.tapSum[c]
	}
}

// Eval checks the bindings, then runs the output rows on the pool.
func (o *depthwiseFast[T]) Eval() error {
	for _, t := range [...]*tensor.Tensor{o.in, o.bias, o.out} {
		if err := convCheckBound(o.n, t); err != nil {
			return err
		}
	}
	if o.bias != nil && !o.bias.Const {
		o.setBias(o.bias.Int32())
	}
	o.inData, o.outData = convElems[T](o.in), convElems[T](o.out)
	o.pool.Run(o, o.g.batches*o.g.outH)
	return nil
}

// RunParts computes output rows [lo, hi) (row = batch·outH + oy).
func (o *depthwiseFast[T]) RunParts(w, lo, hi int) {
	g := &o.g
	C := g.inC
	acc := o.acc[w*C : (w+1)*C]
	fullRows := convTapRange{0, g.filterH}
	for r := lo; r < hi; r++ {
		b, oy := r/g.outH, r%g.outH
		rows := g.rowTaps[oy]
		outRow := o.outData[r*g.outW*C : (r+1)*g.outW*C]
		for ox := 0; ox < g.outW; ox++ {
			cols := g.colTaps[ox]
			interior := rows == fullRows && cols.lo == 0 && cols.hi == g.filterW
			switch {
			case interior && g.filterH == 3 && g.filterW == 3:
				o.interior3x3(acc, b, oy, ox)
			case interior:
				copy(acc, o.biasAll)
				o.accumulate(acc, b, oy, ox, rows, cols, 0)
			default:
				copy(acc, o.biasIn)
				o.accumulate(acc, b, oy, ox, rows, cols, o.q.inputOffset)
			}
			o.store(outRow[ox*C:(ox+1)*C], acc)
		}
	}
}

// accumulate adds Σ w·(x + off) over the given taps of one output pixel.
func (o *depthwiseFast[T]) accumulate(acc []int32, b, oy, ox int, rows, cols convTapRange, off int32) {
	g := &o.g
	C := g.inC
	iy0, ix0 := oy*g.strideH-g.padH, ox*g.strideW-g.padW
	for fy := rows.lo; fy < rows.hi; fy++ {
		base := (b*g.inH + iy0 + fy*g.dilationH) * g.inW
		for fx := cols.lo; fx < cols.hi; fx++ {
			p := base + ix0 + fx*g.dilationW
			x := o.inData[p*C : (p+1)*C]
			wt := o.consts.w[(fy*g.filterW+fx)*C : (fy*g.filterW+fx+1)*C]
			acc := acc[:len(x)]
			wt = wt[:len(x)]
			for c, v := range x {
				acc[c] += (int32(v) + off) * wt[c]
			}
		}
	}
}

// interior3x3 is accumulate for a 3×3 filter with every tap inside the
// input: nine products per channel summed in a register.
func (o *depthwiseFast[T]) interior3x3(acc []int32, b, oy, ox int) {
	g := &o.g
	C := g.inC
	iy, ix := oy*g.strideH-g.padH, ox*g.strideW-g.padW
	dy, dx := g.dilationH*g.inW*C, g.dilationW*C
	p := ((b*g.inH+iy)*g.inW + ix) * C
	in := o.inData
	x0, x1, x2 := in[p:p+C], in[p+dx:p+dx+C], in[p+2*dx:p+2*dx+C]
	p += dy
	x3, x4, x5 := in[p:p+C], in[p+dx:p+dx+C], in[p+2*dx:p+2*dx+C]
	p += dy
	x6, x7, x8 := in[p:p+C], in[p+dx:p+dx+C], in[p+2*dx:p+2*dx+C]
	w := o.consts.w
	w0, w1, w2, w3, w4, w5, w6, w7, w8 := w[0:C], w[C:2*C], w[2*C:3*C], w[3*C:4*C], w[4*C:5*C], w[5*C:6*C], w[6*C:7*C], w[7*C:8*C], w[8*C:9*C]
	bias := o.biasAll[:C]
	acc = acc[:C]
	for c := range acc {
		acc[c] = bias[c] +
			int32(x0[c])*w0[c] + int32(x1[c])*w1[c] + int32(x2[c])*w2[c] +
			int32(x3[c])*w3[c] + int32(x4[c])*w4[c] + int32(x5[c])*w5[c] +
			int32(x6[c])*w6[c] + int32(x7[c])*w7[c] + int32(x8[c])*w8[c]
	}
}

// store requantizes one pixel's accumulators into its output channels.
func (o *depthwiseFast[T]) store(dst []T, acc []int32) {
	q := &o.q
	acc = acc[:len(dst)]
	mul, sh := q.multiplier[:len(dst)], q.shift[:len(dst)]
	for c := range dst {
		v := fixedpoint.MultiplyByQuantizedMultiplier(acc[c], mul[c], sh[c])
		dst[c] = T(convClamp(v+q.outputOffset, q.actMin, q.actMax))
	}
}
