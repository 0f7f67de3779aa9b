package tflite

import (
	"slices"

	"github.com/edgefleet/edgefleet/tflite/internal/kernel"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// fusePads removes each PAD whose only reader is the input of a quantized
// convolution with VALID padding (CONV_2D, DEPTHWISE_CONV_2D: models
// converted from PyTorch pad explicitly before nearly every one), and has
// the convolution read the PAD's input with the padding as its own
// (kernel.Node.InputPad). The padded copy is never made: TFLite pads with
// the zero point, and a convolution's padding taps, which it skips, add
// exactly what zero-point values add — nothing — so the outputs are the
// same bytes. Only spatial padding of NHWC tensors is fused, and only
// where the PAD leaves the quantization unchanged.
func (l *loader) fusePads() {
	m := l.m
	readers := make(map[int]int) // tensor → number of reads by exec ops
	for _, op := range m.exec {
		for _, ti := range op.inputs {
			if ti >= 0 {
				readers[ti]++
			}
		}
	}
	consumer := make(map[int]int) // tensor → index of an exec op reading it
	for i := len(m.exec) - 1; i >= 0; i-- {
		for _, ti := range m.exec[i].inputs {
			if ti >= 0 {
				consumer[ti] = i
			}
		}
	}
	removed := make([]bool, len(m.exec))
	for i := range m.exec {
		p := &m.exec[i]
		if p.code != schema.BuiltinOperatorPAD || len(p.inputs) != 2 || len(p.outputs) != 1 {
			continue
		}
		x, y := p.inputs[0], p.outputs[0]
		if x < 0 || p.inputs[1] < 0 || readers[y] != 1 || slices.Contains(m.outputs, y) {
			continue
		}
		d := &m.exec[consumer[y]]
		if len(d.inputs) == 0 || d.inputs[0] != y {
			continue
		}
		pad, ok := spatialPadding(&m.tensors[p.inputs[1]])
		if !ok || !sameQuantization(&m.tensors[x], &m.tensors[y]) || !kernel.FusesInputPad(d.node(m.tensors)) {
			continue
		}
		d.inputs = slices.Clone(d.inputs)
		d.inputs[0] = x
		d.inputPad = pad
		removed[i] = true
	}
	kept := m.exec[:0]
	for i, op := range m.exec {
		if !removed[i] {
			kept = append(kept, op)
		}
	}
	m.exec = kept
}

// spatialPadding reads a PAD's constant paddings when they pad only the
// height and width of a rank-4 (NHWC) tensor.
func spatialPadding(t *tensor.Tensor) (*kernel.InputPad, bool) {
	if !t.Const || len(t.Shape) != 2 || t.Shape[0] != 4 || t.Shape[1] != 2 || len(t.Data) < t.ByteSize() {
		return nil, false
	}
	var v [8]int64
	switch t.Type {
	case tensor.Int32:
		for i, x := range t.Int32()[:8] {
			v[i] = int64(x)
		}
	case tensor.Int64:
		copy(v[:], t.Int64()[:8])
	default:
		return nil, false
	}
	for _, x := range v {
		if x < 0 || x > 1<<20 {
			return nil, false
		}
	}
	if v[0] != 0 || v[1] != 0 || v[6] != 0 || v[7] != 0 {
		return nil, false
	}
	return &kernel.InputPad{Top: int(v[2]), Bottom: int(v[3]), Left: int(v[4]), Right: int(v[5])}, true
}

// sameQuantization reports whether two tensors have one type and equal
// quantization parameters, so their bytes mean the same values.
func sameQuantization(a, b *tensor.Tensor) bool {
	return a.Type == b.Type && slices.Equal(a.Scale, b.Scale) && slices.Equal(a.ZeroPoint, b.ZeroPoint)
}
