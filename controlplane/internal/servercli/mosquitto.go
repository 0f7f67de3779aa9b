package servercli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/controlplane/internal/aclfile"
)

// newMosquittoConfig writes the Mosquitto configuration that confines
// every device to its own topics.
func newMosquittoConfig() *cobra.Command {
	var out, listener, cpUser string
	cmd := &cobra.Command{
		Use:   "mosquitto-config --out DIR",
		Short: "Write mosquitto.conf and an ACL file that confine each device to its own topics",
		Long: `mosquitto-config writes DIR/mosquitto.conf and DIR/acl for running the
fleet on Mosquitto instead of the embedded broker. Devices connect with
username = device id and password = the credential from
"edgefleetctl device enroll"; the ACL lets a device publish only its own
status, presence and telemetry and read only its own desired state. The
control plane's account (--controlplane-user) may use the whole tree.

Add accounts to DIR/passwd with mosquitto_passwd:
  mosquitto_passwd -c DIR/passwd edgefleet-controlplane
  mosquitto_passwd -b DIR/passwd DEVICE_ID CREDENTIAL
then start "mosquitto -c DIR/mosquitto.conf" and the control plane with
--mqtt-url tcp://HOST:1883 --mqtt-username edgefleet-controlplane --mqtt-password ….`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("--out is required: the directory to write mosquitto.conf and acl into")
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			abs, err := filepath.Abs(out)
			if err != nil {
				return err
			}
			aclPath, confPath := filepath.Join(abs, "acl"), filepath.Join(abs, "mosquitto.conf")
			if err := writeWith(aclPath, func(f *os.File) error { return aclfile.WriteACL(f, cpUser) }); err != nil {
				return err
			}
			if err := writeWith(confPath, func(f *os.File) error {
				return aclfile.WriteConfig(f, listener, filepath.Join(abs, "passwd"), aclPath)
			}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s and %s\n", confPath, aclPath)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory for mosquitto.conf and acl")
	cmd.Flags().StringVar(&listener, "listener", "1883 127.0.0.1", "Mosquitto listener line: port and bind address")
	cmd.Flags().StringVar(&cpUser, "controlplane-user", aclfile.DefaultControlPlaneUser, "the control plane's MQTT username")
	return cmd
}

// writeWith writes a file atomically: a temporary file renamed into place.
func writeWith(path string, fill func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := fill(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
