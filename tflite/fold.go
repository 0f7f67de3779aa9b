package tflite

import (
	"fmt"

	"github.com/edgefleet/edgefleet/tflite/internal/kernel"
)

// foldConstants runs, once at load, every operator whose inputs are all
// constants (typically DEQUANTIZE expanding float16 weights) and turns its
// outputs into constants owned by the model. TFLite does the same for
// DEQUANTIZE of constant weights; here it is general. Folded operators
// leave the execution list, so interpreters neither repeat the work on
// every Invoke nor reserve arena space for the results.
func (l *loader) foldConstants() error {
	m := l.m
	folded := 0
	m.exec = make([]opNode, 0, len(m.ops))
	for _, op := range m.ops {
		if !allInputsConstant(m, &op) {
			m.exec = append(m.exec, op)
			continue
		}
		n := op.node(m.tensors)
		for _, t := range n.Outputs {
			folded += t.ByteSize()
			if folded > maxArenaBytes {
				return fmt.Errorf("%w: constant folding needs more than %d bytes", ErrInvalidModel, maxArenaBytes)
			}
			t.Data = alignedBytes(t.ByteSize(), nil)
		}
		prepare, ok := kernel.Lookup(n.Code)
		if !ok {
			return fmt.Errorf("op %d (%s): %w: operator not supported", n.Index, opName(n.Code), ErrUnsupported)
		}
		k, err := prepare(n)
		if err != nil {
			return err
		}
		if err := k.Eval(); err != nil {
			return fmt.Errorf("folding constant op: %w", err)
		}
		for _, t := range n.Outputs {
			if t.Data == nil {
				t.Data = []byte{} // empty tensor
			}
			t.Const = true
		}
	}
	return nil
}

// allInputsConstant reports whether op has inputs and all present ones
// are constants.
func allInputsConstant(m *Model, op *opNode) bool {
	any := false
	for _, ti := range op.inputs {
		if ti < 0 {
			continue
		}
		if !m.tensors[ti].Const {
			return false
		}
		any = true
	}
	return any
}
