package testenv

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

func TestMosquittoQoS1RoundTrip(t *testing.T) {
	b := Mosquitto(t)
	opts := mqtt.NewClientOptions().AddBroker(b.URL).SetClientID("testenv-roundtrip")
	c := mqtt.NewClient(opts)
	if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	defer c.Disconnect(100)
	got := make(chan []byte, 1)
	if tok := c.Subscribe("testenv/x", 1, func(_ mqtt.Client, m mqtt.Message) { got <- m.Payload() }); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	if tok := c.Publish("testenv/x", 1, false, []byte("hello")); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
	select {
	case p := <-got:
		if string(p) != "hello" {
			t.Fatalf("payload %q, want hello", p)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no message within 5s")
	}
}

func TestMosquittoRestartKeepsPort(t *testing.T) {
	m := StartMosquittoProcess(t, MosquittoConfig{})
	addr := m.Addr
	m.Restart()
	if m.Addr != addr {
		t.Fatalf("address changed from %s to %s", addr, m.Addr)
	}
}

func TestMinIOPutGet(t *testing.T) {
	s := MinIO(t)
	c, err := minio.New(s.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.MakeBucket(ctx, "testenv", minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("make bucket: %v", err)
	}
	want := bytes.Repeat([]byte("edgefleet"), 1000)
	if _, err := c.PutObject(ctx, "testenv", "k", bytes.NewReader(want), int64(len(want)), minio.PutObjectOptions{}); err != nil {
		t.Fatalf("put: %v", err)
	}
	obj, err := c.GetObject(ctx, "testenv", "k", minio.GetObjectOptions{})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	got, err := io.ReadAll(obj)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, want %d", len(got), len(want))
	}
}
