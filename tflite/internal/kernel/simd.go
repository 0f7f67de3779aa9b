package kernel

// noSIMDEnv forces the portable kernels when set to 1, so tests (and a
// suspicious operator) can run the pure-Go path on any machine. It is read
// when a model's weights are packed, i.e. at Load and NewInterpreter.
const noSIMDEnv = "EDGEFLEET_TFLITE_NOSIMD"
