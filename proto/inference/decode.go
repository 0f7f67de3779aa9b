package inference

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// DecodeInferRequest decodes a v2 infer request body into req with exactly
// json.Unmarshal's result and errors, reusing req's slices. Bodies in the
// common shape (known keys spelt exactly, each once, plain strings, numeric
// data) take a hand-written scanner that allocates almost nothing; anything
// else falls back to json.Unmarshal. The Data fields may alias body, so
// body must outlive req's use.
func DecodeInferRequest(body []byte, req *InferRequest) error {
	d := requestDecoder{buf: body}
	if d.request(req) {
		return nil
	}
	*req = InferRequest{}
	return json.Unmarshal(body, req)
}

// requestDecoder is the fast path of DecodeInferRequest. Each method
// returns false as soon as the input leaves the subset it handles, valid
// JSON or not; the caller then lets encoding/json decide.
type requestDecoder struct {
	buf []byte
	pos int
}

func (d *requestDecoder) ws() {
	for d.pos < len(d.buf) {
		switch d.buf[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// next skips whitespace and consumes c if it comes next.
func (d *requestDecoder) next(c byte) bool {
	d.ws()
	if d.pos < len(d.buf) && d.buf[d.pos] == c {
		d.pos++
		return true
	}
	return false
}

// object calls member for each key of a JSON object. member gets the key,
// with the decoder positioned at the value, and must consume the value.
func (d *requestDecoder) object(member func(key []byte) bool) bool {
	if !d.next('{') {
		return false
	}
	if d.next('}') {
		return true
	}
	for {
		d.ws()
		key, ok := d.plainString()
		if !ok || !d.next(':') {
			return false
		}
		d.ws()
		if !member(key) {
			return false
		}
		if d.next(',') {
			continue
		}
		return d.next('}')
	}
}

// array calls elem for each element of a JSON array, positioned at it.
func (d *requestDecoder) array(elem func() bool) bool {
	if !d.next('[') {
		return false
	}
	if d.next(']') {
		return true
	}
	for {
		d.ws()
		if !elem() {
			return false
		}
		if d.next(',') {
			continue
		}
		return d.next(']')
	}
}

// plainString reads a string without escapes or control characters, in
// valid UTF-8 (encoding/json would rewrite anything else).
func (d *requestDecoder) plainString() ([]byte, bool) {
	if d.pos >= len(d.buf) || d.buf[d.pos] != '"' {
		return nil, false
	}
	start := d.pos + 1
	ascii := true
	for i := start; i < len(d.buf); i++ {
		switch c := d.buf[i]; {
		case c == '"':
			s := d.buf[start:i]
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			d.pos = i + 1
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// reuse returns old when it spells b, so a pooled request keeps its tensor
// names instead of allocating them again.
func reuse(old string, b []byte) string {
	if old == string(b) {
		return old
	}
	return string(b)
}

// seen records a key in mask and reports false when it came before:
// encoding/json merges duplicate keys, which the fast path does not mimic.
func seen(mask *uint8, bit uint8) bool {
	if *mask&bit != 0 {
		return false
	}
	*mask |= bit
	return true
}

func (d *requestDecoder) request(req *InferRequest) bool {
	inputs, outputs := req.Inputs[:0], req.Outputs[:0]
	oldID := req.ID
	*req = InferRequest{}
	var keys uint8
	var haveInputs, haveOutputs bool
	ok := d.object(func(key []byte) bool {
		switch string(key) {
		case "id":
			s, ok := d.plainString()
			req.ID = reuse(oldID, s)
			return ok && seen(&keys, 1)
		case "parameters":
			p, ok := d.parameters()
			req.Parameters = p
			return ok && seen(&keys, 2)
		case "inputs":
			haveInputs = true
			return seen(&keys, 4) && d.array(func() bool {
				inputs = grow(inputs)
				return d.input(&inputs[len(inputs)-1])
			})
		case "outputs":
			haveOutputs = true
			return seen(&keys, 8) && d.array(func() bool {
				outputs = grow(outputs)
				return d.output(&outputs[len(outputs)-1])
			})
		}
		return false
	})
	d.ws()
	if !ok || d.pos != len(d.buf) {
		return false
	}
	if haveInputs {
		req.Inputs = inputs
	}
	if haveOutputs {
		req.Outputs = outputs
	}
	return true
}

// grow extends s by one element, reusing capacity (and the element's own
// slices, which the element decoders reset).
func grow[T any](s []T) []T {
	if len(s) < cap(s) {
		return s[:len(s)+1]
	}
	var zero T
	return append(s, zero)
}

func (d *requestDecoder) input(in *InferInput) bool {
	shape, oldName, oldDatatype := in.Shape[:0], in.Name, in.Datatype
	*in = InferInput{}
	var keys uint8
	return d.object(func(key []byte) bool {
		switch string(key) {
		case "name":
			s, ok := d.plainString()
			in.Name = reuse(oldName, s)
			return ok && seen(&keys, 1)
		case "shape":
			in.Shape = shape
			return seen(&keys, 2) && d.array(func() bool {
				v, ok := d.int64()
				in.Shape = append(in.Shape, v)
				return ok
			})
		case "datatype":
			s, ok := d.plainString()
			in.Datatype = reuse(oldDatatype, s)
			return ok && seen(&keys, 4)
		case "parameters":
			p, ok := d.parameters()
			in.Parameters = p
			return ok && seen(&keys, 8)
		case "data":
			start := d.pos
			if !d.tensorData() {
				return false
			}
			in.Data = d.buf[start:d.pos:d.pos]
			return seen(&keys, 16)
		}
		return false
	})
}

func (d *requestDecoder) output(out *RequestedOutput) bool {
	oldName := out.Name
	*out = RequestedOutput{}
	var keys uint8
	return d.object(func(key []byte) bool {
		switch string(key) {
		case "name":
			s, ok := d.plainString()
			out.Name = reuse(oldName, s)
			return ok && seen(&keys, 1)
		case "parameters":
			p, ok := d.parameters()
			out.Parameters = p
			return ok && seen(&keys, 2)
		}
		return false
	})
}

// parameters decodes a free-form object with encoding/json: parameters
// are rare and their values may be anything.
func (d *requestDecoder) parameters() (Parameters, bool) {
	start := d.pos
	if d.pos >= len(d.buf) || d.buf[d.pos] != '{' || !d.skipObject() {
		return nil, false
	}
	var p Parameters
	if err := json.Unmarshal(d.buf[start:d.pos], &p); err != nil {
		return nil, false
	}
	return p, true
}

// skipObject moves past the object at pos by matching braces outside
// strings. It need not validate: parameters checks the span with
// encoding/json, and a span that is a valid object ends where the object
// ends.
func (d *requestDecoder) skipObject() bool {
	depth := 0
	for d.pos < len(d.buf) {
		c := d.buf[d.pos]
		d.pos++
		switch c {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return true
			}
		case '"':
			for d.pos < len(d.buf) && d.buf[d.pos] != '"' {
				if d.buf[d.pos] == '\\' {
					d.pos++
				}
				d.pos++
			}
			d.pos++
		}
	}
	return false
}

// int64 reads a JSON integer that fits an int64, as encoding/json decodes
// into an int64 field (it refuses fractions and exponents).
func (d *requestDecoder) int64() (int64, bool) {
	start := d.pos
	if !d.number() {
		return 0, false
	}
	v, err := strconv.ParseInt(string(d.buf[start:d.pos]), 10, 64)
	return v, err == nil
}

// tensorData checks the JSON value at pos is a number, a boolean or nested
// arrays of them, strictly as JSON spells them, and moves past it. Other
// values (null, strings, objects) are left to the slow path, whose
// ParseArray errors name them.
func (d *requestDecoder) tensorData() bool {
	depth := 0
	for {
		// A value: open arrays until a scalar or an empty array.
		d.ws()
		opened := false
		for d.pos < len(d.buf) && d.buf[d.pos] == '[' {
			d.pos++
			depth++
			opened = true
			if depth > maxNesting {
				return false // ParseArray refuses it; let encoding/json speak first
			}
			d.ws()
		}
		if opened && d.pos < len(d.buf) && d.buf[d.pos] == ']' {
			d.pos++
			depth--
		} else if !d.scalar() {
			return false
		}
		// After a value: close arrays until a comma or the end.
		for {
			if depth == 0 {
				return true
			}
			d.ws()
			if d.pos >= len(d.buf) {
				return false
			}
			c := d.buf[d.pos]
			d.pos++
			if c == ',' {
				break
			}
			if c != ']' {
				return false
			}
			depth--
		}
	}
}

func (d *requestDecoder) scalar() bool {
	for _, lit := range [...]string{"true", "false"} {
		if len(d.buf)-d.pos >= len(lit) && string(d.buf[d.pos:d.pos+len(lit)]) == lit {
			d.pos += len(lit)
			return true
		}
	}
	return d.number()
}

// number moves past a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *requestDecoder) number() bool {
	b, i := d.buf, d.pos
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return false
		}
		i = j
	}
	d.pos = i
	return true
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}
