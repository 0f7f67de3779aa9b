package tflite

import "fmt"

// readSignatures reads the SignatureDefs of subgraph 0, mapping each
// signature name to an index into Inputs()/Outputs().
func (l *loader) readSignatures(root fbTable) error {
	defs, err := root.tables(7, "model signature_defs")
	if err != nil {
		return err
	}
	for i := 0; i < defs.n; i++ {
		what := fmt.Sprintf("signature_defs[%d]", i)
		d, err := defs.at(i, what)
		if err != nil {
			return err
		}
		sub, err := d.uint32Field(4, 0, what)
		if err != nil {
			return err
		}
		if sub != 0 {
			continue // signatures of other subgraphs cannot be run here
		}
		key, err := d.str(2, what)
		if err != nil {
			return err
		}
		s := Signature{Key: key}
		if s.Inputs, err = l.signatureMap(d, 0, l.m.inputs, what+" inputs"); err != nil {
			return err
		}
		if s.Outputs, err = l.signatureMap(d, 1, l.m.outputs, what+" outputs"); err != nil {
			return err
		}
		l.m.signatures = append(l.m.signatures, s)
	}
	return nil
}

// signatureMap reads a vector of TensorMap and maps each name to the
// position of its tensor in io (the graph inputs or outputs).
func (l *loader) signatureMap(d fbTable, field int, io []int, what string) (map[string]int, error) {
	maps, err := d.tables(field, what)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, maps.n)
	for k := 0; k < maps.n; k++ {
		tm, err := maps.at(k, what)
		if err != nil {
			return nil, err
		}
		name, err := tm.str(0, what)
		if err != nil {
			return nil, err
		}
		ti, err := tm.uint32Field(1, 0, what)
		if err != nil {
			return nil, err
		}
		pos := -1
		for p, t := range io {
			if uint64(t) == uint64(ti) {
				pos = p
				break
			}
		}
		if pos < 0 {
			return nil, fmt.Errorf("%w: %s: %q names tensor %d, which is not a graph input/output of that side", ErrInvalidModel, what, name, ti)
		}
		out[name] = pos
	}
	return out, nil
}
