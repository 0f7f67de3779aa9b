package ctl

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/controlplane/internal/api"
	"github.com/edgefleet/edgefleet/controlplane/internal/client"
	"github.com/edgefleet/edgefleet/controlplane/internal/registry"
	"github.com/edgefleet/edgefleet/proto/manifest"
)

func newModel(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "model", Short: "Publish, inspect and delete model versions"}
	cmd.AddCommand(modelPush(g), modelList(g), modelShow(g), modelManifest(g), modelDownload(g), modelRemove(g), modelMetrics(g))
	return cmd
}

// sizedReader announces its length so the upload has a Content-Length.
type sizedReader struct {
	io.Reader
	n int64
}

func (s sizedReader) Size() int64 { return s.n }

func modelPush(g *globals) *cobra.Command {
	var name, version string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "push FILE --name N --version V",
		Short: "Upload a .tflite file as a new model version (validated and signed by the server)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if name == "" || version == "" {
				return errors.New("model push needs --name and --version")
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			st, err := f.Stat()
			if err != nil {
				return err
			}
			var body io.Reader = f
			if !quiet {
				bar := progressbar.NewOptions64(st.Size(),
					progressbar.OptionSetWriter(cmd.ErrOrStderr()),
					progressbar.OptionSetDescription("uploading "+name+"/"+version),
					progressbar.OptionShowBytes(true),
					progressbar.OptionOnCompletion(func() { fmt.Fprintln(cmd.ErrOrStderr()) }),
				)
				r := progressbar.NewReader(f, bar)
				body = &r
			}
			var v registry.Version
			path := "/api/v1/models/" + client.Seg(name) + "/versions" + client.Query("version", version)
			resp, err := c.Do(cmd.Context(), http.MethodPost, path, sizedReader{body, st.Size()}, "application/octet-stream", &v)
			if err != nil {
				return pushError(err)
			}
			verb := "published"
			if resp.StatusCode == http.StatusOK {
				verb = "already published (identical content)"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s/%s %s: sha256 %s, %d bytes, %d ops\n", v.Model, v.Version, verb, v.SHA256, v.Size, len(v.Ops))
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "model name")
	cmd.Flags().StringVar(&version, "version", "", "model version")
	cmd.Flags().BoolVar(&quiet, "no-progress", false, "do not draw the progress bar")
	return cmd
}

// pushError adds the refused operators to the one-line error.
func pushError(err error) error {
	var apiErr *client.Error
	if errors.As(err, &apiErr) && len(apiErr.Ops) > 0 {
		ops := make([]string, len(apiErr.Ops))
		for i, o := range apiErr.Ops {
			ops[i] = fmt.Sprintf("op %d %s", o.Index, o.Name)
		}
		apiErr.Message += " [unsupported: " + strings.Join(ops, ", ") + "]"
	}
	return err
}

func modelList(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list [NAME]",
		Short: "List models, or the versions of model NAME",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if len(args) == 0 {
				items, err := listAll[registry.Model](cmd, c, "/api/v1/models")
				if err != nil {
					return err
				}
				return render(cmd.OutOrStdout(), g.output, items, func() table {
					t := table{header: []string{"NAME", "VERSIONS", "LATEST", "UPDATED"}}
					for _, m := range items {
						t.rows = append(t.rows, []string{m.Name, strconv.Itoa(m.Versions), m.LatestVersion, m.UpdatedAt.Format("2006-01-02 15:04:05")})
					}
					return t
				})
			}
			items, err := listAll[registry.Version](cmd, c, "/api/v1/models/"+client.Seg(args[0])+"/versions")
			if err != nil {
				return err
			}
			return render(cmd.OutOrStdout(), g.output, items, func() table { return versionTable(items) })
		},
	}
}

func versionTable(items []registry.Version) table {
	t := table{header: []string{"MODEL", "VERSION", "SIZE", "SHA256", "OPS", "ARENA", "CREATED"}}
	for _, v := range items {
		t.rows = append(t.rows, []string{v.Model, v.Version, strconv.FormatInt(v.Size, 10), v.SHA256[:12],
			strconv.Itoa(len(v.Ops)), strconv.FormatInt(v.ArenaBytes, 10), v.CreatedAt.Format("2006-01-02 15:04:05")})
	}
	return t
}

// listAll follows next_page_token to the end.
func listAll[T any](cmd *cobra.Command, c *client.Client, path string) ([]T, error) {
	return listAllQuery[T](cmd, c, path, "")
}

func listAllQuery[T any](cmd *cobra.Command, c *client.Client, path, query string) ([]T, error) {
	var all []T
	token := ""
	for {
		var page api.List[T]
		q := client.Query("limit", "500", "page_token", token)
		if query != "" {
			q += "&" + query
		}
		if err := c.Get(cmd.Context(), path+q, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextPageToken == "" {
			if all == nil {
				all = []T{}
			}
			return all, nil
		}
		token = page.NextPageToken
	}
}

func modelShow(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "show NAME VERSION",
		Short: "Show one model version: I/O signature, ops, arena, sha256",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var v registry.Version
			if err := c.Get(cmd.Context(), versionPath(args[0], args[1]), &v); err != nil {
				return err
			}
			return render(cmd.OutOrStdout(), g.output, v, func() table {
				t := table{header: []string{"FIELD", "VALUE"}}
				add := func(k, val string) { t.rows = append(t.rows, []string{k, val}) }
				add("model", v.Model)
				add("version", v.Version)
				add("sha256", v.SHA256)
				add("size", strconv.FormatInt(v.Size, 10))
				add("arena_bytes", strconv.FormatInt(v.ArenaBytes, 10))
				for i, in := range v.Inputs {
					add(fmt.Sprintf("input %d", i), tensorString(in))
				}
				for i, out := range v.Outputs {
					add(fmt.Sprintf("output %d", i), tensorString(out))
				}
				for _, op := range v.Ops {
					add(fmt.Sprintf("op %d", op.Index), fmt.Sprintf("%s v%d", op.Name, op.Version))
				}
				add("created", v.CreatedAt.String())
				return t
			})
		},
	}
}

func tensorString(t manifest.TensorSpec) string {
	return fmt.Sprintf("%s %s %v scale=%g zero_point=%d", t.Name, t.DType, t.Shape, t.Scale, t.ZeroPoint)
}

func versionPath(name, version string) string {
	return "/api/v1/models/" + client.Seg(name) + "/versions/" + client.Seg(version)
}

func modelManifest(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "manifest NAME VERSION",
		Short: "Print the signed manifest JSON (what the agent's models import --manifest reads)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var s manifest.Signed
			if err := c.Get(cmd.Context(), versionPath(args[0], args[1])+"/manifest", &s); err != nil {
				return err
			}
			format := g.output
			if format == "table" {
				format = "json" // a manifest has no sensible table form
			}
			return render(cmd.OutOrStdout(), format, s, nil)
		},
	}
}

func modelDownload(g *globals) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "download NAME VERSION [-f FILE]",
		Short: "Download a model file and check its sha256",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var v registry.Version
			if err := c.Get(cmd.Context(), versionPath(args[0], args[1]), &v); err != nil {
				return err
			}
			if out == "" {
				out = fmt.Sprintf("%s-%s.tflite", args[0], args[1])
			}
			body, err := download(cmd, c, versionPath(args[0], args[1])+"/blob")
			if err != nil {
				return err
			}
			defer body.Close()
			f, err := os.Create(out)
			if err != nil {
				return err
			}
			h := sha256.New()
			n, err := io.Copy(io.MultiWriter(f, h), body)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("download to %s: %w", out, err)
			}
			if got := hex.EncodeToString(h.Sum(nil)); got != v.SHA256 {
				os.Remove(out)
				return fmt.Errorf("download of %s/%s: sha256 %s, want %s (file removed)", args[0], args[1], got, v.SHA256)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%d bytes, sha256 verified)\n", out, n)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "file", "f", "", "output file (default NAME-VERSION.tflite)")
	return cmd
}

// download follows the API's redirect to a presigned URL itself, so the
// bearer token never goes to the object store.
func download(cmd *cobra.Command, c *client.Client, path string) (io.ReadCloser, error) {
	noFollow := *c
	hc := *c.HTTP
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	noFollow.HTTP = &hc
	resp, err := noFollow.Do(cmd.Context(), http.MethodGet, path, nil, "", nil)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusTemporaryRedirect {
		return resp.Body, nil
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	req, err := http.NewRequestWithContext(cmd.Context(), http.MethodGet, loc, nil)
	if err != nil {
		return nil, fmt.Errorf("redirect %q: %w", loc, err)
	}
	resp, err = c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download from object store: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("download from object store: %s", resp.Status)
	}
	return resp.Body, nil
}

func modelRemove(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "rm NAME VERSION",
		Aliases: []string{"delete"},
		Short:   "Delete a model version (refused while a device uses it)",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.Call(cmd.Context(), http.MethodDelete, versionPath(args[0], args[1]), nil, nil); err != nil {
				var apiErr *client.Error
				if errors.As(err, &apiErr) && len(apiErr.Users) > 0 {
					apiErr.Message = "in use by " + strings.Join(apiErr.Users, ", ")
				}
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "deleted %s/%s\n", args[0], args[1])
			return nil
		},
	}
}
