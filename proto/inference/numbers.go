package inference

import (
	"fmt"
	"strconv"
)

// maxNesting bounds array nesting so hostile input cannot exhaust the stack.
const maxNesting = 32

// ParseArray parses a JSON number, boolean (true is 1) or nested array of
// them, as tensor data comes in both protocols. It returns the values in
// row-major order and the nesting shape (empty for a scalar). Ragged arrays
// and leaves at different depths are errors. It is a dedicated scanner
// rather than encoding/json because it runs on every request and decoding
// into []any costs an allocation per number.
func ParseArray(data []byte) (values []float64, shape []int, err error) {
	var p ArrayParser
	return p.Parse(data)
}

// ArrayParser is ParseArray with buffers kept from one call to the next, for
// servers that parse tensor data on every request. The zero value is ready;
// it is not safe for concurrent use.
type ArrayParser struct {
	p arrayParser
}

// Footprint returns the bytes the parser's kept buffers hold, so pools
// can drop a parser that a huge tensor inflated.
func (a *ArrayParser) Footprint() int {
	return cap(a.p.values)*8 + cap(a.p.shape)*8
}

// Parse is ParseArray; the returned slices are only valid until the next
// call.
func (a *ArrayParser) Parse(data []byte) (values []float64, shape []int, err error) {
	p := &a.p
	*p = arrayParser{buf: data, leafDepth: -1, values: p.values[:0], shape: p.shape[:0]}
	defer func() { p.buf = nil }() // do not pin the caller's buffer
	p.skipSpace()
	if err := p.value(0); err != nil {
		return nil, nil, err
	}
	p.skipSpace()
	if p.pos != len(p.buf) {
		return nil, nil, p.errorf("unexpected %q after the value", p.buf[p.pos])
	}
	if p.leafDepth < 0 {
		// Only empty arrays: the shape ends at the innermost one seen.
		p.leafDepth = len(p.shape)
	}
	if len(p.values) == 0 {
		// ParseArray has always answered nil for no values.
		return nil, p.shape[:p.leafDepth], nil
	}
	return p.values, p.shape[:p.leafDepth], nil
}

type arrayParser struct {
	buf       []byte
	pos       int
	values    []float64
	shape     []int // length at each depth, fixed by the first array closed there
	leafDepth int   // depth of the numbers, -1 until the first one
}

func (p *arrayParser) errorf(format string, args ...any) error {
	return fmt.Errorf("tensor data at byte %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *arrayParser) skipSpace() {
	for p.pos < len(p.buf) {
		switch p.buf[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *arrayParser) value(depth int) error {
	if p.pos >= len(p.buf) {
		return p.errorf("unexpected end of data")
	}
	if p.buf[p.pos] == '[' {
		return p.array(depth)
	}
	if p.leafDepth < 0 {
		if len(p.shape) > depth {
			return p.errorf("number at nesting depth %d beside an array at that depth (ragged array)", depth)
		}
		p.leafDepth = depth
	} else if p.leafDepth != depth {
		return p.errorf("number at nesting depth %d, others at depth %d (ragged array)", depth, p.leafDepth)
	}
	v, err := p.number()
	if err != nil {
		return err
	}
	p.values = append(p.values, v)
	return nil
}

func (p *arrayParser) array(depth int) error {
	if depth >= maxNesting {
		return p.errorf("arrays nested deeper than %d", maxNesting)
	}
	if p.leafDepth >= 0 && depth >= p.leafDepth {
		return p.errorf("array at nesting depth %d where numbers are at depth %d (ragged array)", depth, p.leafDepth)
	}
	p.pos++ // '['
	if depth == len(p.shape) {
		p.shape = append(p.shape, -1) // length unknown until the array closes
	}
	n := 0
	p.skipSpace()
	if p.pos < len(p.buf) && p.buf[p.pos] == ']' {
		p.pos++
	} else {
		for {
			p.skipSpace()
			if err := p.value(depth + 1); err != nil {
				return err
			}
			n++
			p.skipSpace()
			if p.pos >= len(p.buf) {
				return p.errorf("unexpected end of data inside an array")
			}
			c := p.buf[p.pos]
			p.pos++
			if c == ']' {
				break
			}
			if c != ',' {
				return p.errorf("unexpected %q inside an array", c)
			}
		}
	}
	if p.shape[depth] < 0 {
		p.shape[depth] = n
	} else if p.shape[depth] != n {
		return p.errorf("array of %d elements at nesting depth %d, earlier ones have %d (ragged array)", n, depth, p.shape[depth])
	}
	return nil
}

func (p *arrayParser) number() (float64, error) {
	start := p.pos
	for p.pos < len(p.buf) {
		c := p.buf[p.pos]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || (c >= 'a' && c <= 'z') {
			p.pos++
			continue
		}
		break
	}
	tok := p.buf[start:p.pos]
	switch string(tok) {
	case "true":
		return 1, nil
	case "false":
		return 0, nil
	case "":
		p.pos = start
		return 0, p.errorf("expected a number, got %q", p.buf[start])
	}
	// strconv also accepts "Inf", "NaN", "+1" and hex, which JSON does not.
	if c := tok[0]; c != '-' && (c < '0' || c > '9') || !jsonNumberChars(tok) {
		p.pos = start
		return 0, p.errorf("expected a number, got %q", tok)
	}
	v, err := strconv.ParseFloat(string(tok), 64)
	if err != nil {
		p.pos = start
		return 0, p.errorf("bad number %q", tok)
	}
	return v, nil
}

// jsonNumberChars reports whether tok uses only the characters of a JSON number.
func jsonNumberChars(tok []byte) bool {
	for _, c := range tok {
		if (c < '0' || c > '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
			return false
		}
	}
	return true
}
