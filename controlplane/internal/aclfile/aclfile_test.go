package aclfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/edgefleet/edgefleet/tools/testenv"
)

func TestWriteACLRejectsBadUser(t *testing.T) {
	for _, u := range []string{"", "a b", "x/y", "#"} {
		if err := WriteACL(new(strings.Builder), u); err == nil {
			t.Errorf("user %q accepted", u)
		}
	}
}

// TestDevicesConfinedByMosquitto runs a real Mosquitto with the generated
// ACL: a device can publish its own telemetry but not another device's, and
// cannot read another device's desired state.
func TestDevicesConfinedByMosquitto(t *testing.T) {
	passwd, err := exec.LookPath("mosquitto_passwd")
	if err != nil {
		testenv.Unavailable(t, "mosquitto_passwd not found (Debian package mosquitto)")
	}
	dir := t.TempDir()
	pwFile, aclPath := filepath.Join(dir, "passwd"), filepath.Join(dir, "acl")
	users := map[string]string{DefaultControlPlaneUser: "cp-secret", "dev-a": "a-secret", "dev-b": "b-secret"}
	first := true
	for u, p := range users {
		args := []string{"-b", pwFile, u, p}
		if first {
			args = append([]string{"-c"}, args...)
			first = false
		}
		if out, err := exec.Command(passwd, args...).CombinedOutput(); err != nil {
			t.Fatalf("mosquitto_passwd: %v: %s", err, out)
		}
	}
	f, err := os.Create(aclPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteACL(f, DefaultControlPlaneUser); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b := testenv.MosquittoWith(t, testenv.MosquittoConfig{
		Extra: "allow_anonymous false\npassword_file " + pwFile + "\nacl_file " + aclPath,
	})

	connect := func(user string) mqtt.Client {
		t.Helper()
		c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(b.URL).SetClientID(user).SetUsername(user).SetPassword(users[user]))
		if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("%s connect: %v", user, tok.Error())
		}
		t.Cleanup(func() { c.Disconnect(50) })
		return c
	}
	var mu sync.Mutex
	got := map[string][]string{} // subscriber → payloads
	collect := func(name string) mqtt.MessageHandler {
		return func(_ mqtt.Client, m mqtt.Message) {
			mu.Lock()
			got[name] = append(got[name], m.Topic()+"="+string(m.Payload()))
			mu.Unlock()
		}
	}
	cp := connect(DefaultControlPlaneUser)
	if tok := cp.Subscribe("$share/ingest/edgefleet/v1/devices/+/telemetry", 1, collect("cp")); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	a := connect("dev-a")
	// dev-a subscribes to dev-b's desired state: the broker must not deliver it.
	a.Subscribe("edgefleet/v1/devices/dev-b/desired", 1, collect("a-spy")).WaitTimeout(5 * time.Second)
	a.Subscribe("edgefleet/v1/devices/dev-a/desired", 1, collect("a-own")).WaitTimeout(5 * time.Second)

	a.Publish("edgefleet/v1/devices/dev-a/telemetry", 1, false, "own").WaitTimeout(5 * time.Second)
	a.Publish("edgefleet/v1/devices/dev-b/telemetry", 1, false, "forged").WaitTimeout(5 * time.Second)
	cp.Publish("edgefleet/v1/devices/dev-b/desired", 1, false, "for-b").WaitTimeout(5 * time.Second)
	cp.Publish("edgefleet/v1/devices/dev-a/desired", 1, false, "for-a").WaitTimeout(5 * time.Second)

	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		done := len(got["cp"]) >= 1 && len(got["a-own"]) >= 1
		mu.Unlock()
		if done || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // let any forbidden delivery arrive too
	mu.Lock()
	defer mu.Unlock()
	if len(got["cp"]) != 1 || got["cp"][0] != "edgefleet/v1/devices/dev-a/telemetry=own" {
		t.Fatalf("control plane received %v, want only dev-a's own telemetry", got["cp"])
	}
	if len(got["a-spy"]) != 0 {
		t.Fatalf("dev-a read dev-b's desired state: %v", got["a-spy"])
	}
	if len(got["a-own"]) != 1 {
		t.Fatalf("dev-a did not receive its own desired state: %v", got["a-own"])
	}
}
