// Package runtime runs the agent's active models. For every model name it
// holds the active version: one loaded *tflite.Model shared by a pool of
// interpreters, a bounded queue in front of the pool, and a reference
// count. Activating another version swaps the name's entry atomically: new
// requests take the new version while requests that already hold the old
// one finish on it, and the old interpreters and weights are dropped as
// soon as the last of them returns, so two copies of a model's weights live
// only for the duration of the swap.
//
// Callers serve a request in three steps: Acquire a Handle (which pins one
// version, so validation and inference see the same signature), Infer on
// it, Release it. An Observer sees every inference, which is where metrics
// and the telemetry recorder plug in.
package runtime
