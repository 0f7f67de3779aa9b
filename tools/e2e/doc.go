// Package e2e holds end-to-end tests that run the real binaries —
// edgefleet-controlplane, edgefleetctl and edgefleet-agent — against real
// Mosquitto (tools/testenv) and each other on loopback, the way an operator
// would: enroll a device, publish a model, run an agent, break the network,
// kill processes, and check what the control plane saw.
package e2e
