// kube-harness: a real kube-apiserver (the pinned k8s.io/kubernetes release) on an embedded etcd, on
// loopback only, for the test suite. It writes an admin kubeconfig into --dir and prints one line
// "ready <kubeconfig>" on stdout once /readyz answers; SIGTERM stops both servers.
//
// Authentication: the site's kube-apiserver takes users from Keycloak OIDC tokens with the "oidc:" prefix.
// No identity provider runs here, so the tests stand OIDC in with a static token file (--token-auth-file)
// whose user names and groups follow the same contract, plus impersonation by the admin.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	dir := flag.String("dir", "", "state directory (certificates, etcd data, kubeconfig); required")
	tokenFile := flag.String("token-auth-file", "", "static token file standing in for OIDC users (optional)")
	verbosity := flag.String("v", "0", "kube-apiserver log verbosity")
	flag.Parse()
	if *dir == "" {
		fail("--dir is required")
	}
	if err := run(*dir, *tokenFile, *verbosity); err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "kube-harness:", msg)
	os.Exit(1)
}

func run(dir, tokenFile, verbosity string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	pki, err := writePKI(filepath.Join(dir, "pki"))
	if err != nil {
		return fmt.Errorf("certificates: %w", err)
	}

	etcdClient, etcdPeer, apiPort := freePort(), freePort(), freePort()
	etcd, err := startEtcd(filepath.Join(dir, "etcd"), etcdClient, etcdPeer)
	if err != nil {
		return fmt.Errorf("etcd: %w", err)
	}
	defer etcd.Close()

	args := []string{
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", apiPort),
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", etcdClient),
		"--tls-cert-file=" + pki.serverCert,
		"--tls-private-key-file=" + pki.serverKey,
		"--client-ca-file=" + pki.caCert,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + pki.saKey,
		"--service-account-signing-key-file=" + pki.saKey,
		"--service-cluster-ip-range=10.96.0.0/12",
		// The site runs Node,RBAC; PodSecurity is in the default admission set and named here so a
		// change of defaults cannot drop it silently.
		"--authorization-mode=Node,RBAC",
		"--enable-admission-plugins=NodeRestriction,PodSecurity",
		"--allow-privileged=true",
		"--anonymous-auth=false",
		"--profiling=false",
		"--v=" + verbosity,
	}
	if tokenFile != "" {
		args = append(args, "--token-auth-file="+tokenFile)
	}

	cmd := app.NewAPIServerCommand()
	cmd.SetArgs(args)
	done := make(chan int, 1)
	go func() { done <- cli.Run(cmd) }()

	server := fmt.Sprintf("https://127.0.0.1:%d", apiPort)
	if err := waitReady(server, pki, done); err != nil {
		return err
	}
	kubeconfig := filepath.Join(dir, "admin.kubeconfig")
	if err := writeKubeconfig(kubeconfig, server, pki); err != nil {
		return err
	}
	fmt.Printf("ready %s\n", kubeconfig)

	// kube-apiserver handles SIGTERM itself (graceful shutdown); etcd closes after it.
	if code := <-done; code != 0 {
		return fmt.Errorf("kube-apiserver exited with code %d", code)
	}
	return nil
}

// freePort asks the kernel for an unused loopback port. Another process could take it before the
// server binds; the server then fails to start with a clear "address in use".
func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("no free loopback port: " + err.Error())
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startEtcd(dir string, clientPort, peerPort int) (*embed.Etcd, error) {
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.LogLevel = "error"
	cfg.Logger = "zap"
	client := mustURL(fmt.Sprintf("http://127.0.0.1:%d", clientPort))
	peer := mustURL(fmt.Sprintf("http://127.0.0.1:%d", peerPort))
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = client, client
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = peer, peer
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, nil
	case err := <-e.Err():
		e.Close()
		return nil, err
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, fmt.Errorf("not ready after 60 s")
	}
}

// waitReady polls /readyz as the admin until it answers 200, the server exits, or 120 s pass.
func waitReady(server string, pki *pkiFiles, done <-chan int) error {
	pair, err := tls.LoadX509KeyPair(pki.adminCert, pki.adminKey)
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	caPEM, err := os.ReadFile(pki.caCert)
	if err != nil {
		return err
	}
	roots.AppendCertsFromPEM(caPEM)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: roots},
	}}
	deadline := time.Now().Add(120 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case code := <-done:
			return fmt.Errorf("kube-apiserver exited with code %d before it was ready", code)
		default:
		}
		resp, err := client.Get(server + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("kube-apiserver not ready after 120 s")
}

func writeKubeconfig(path, server string, pki *pkiFiles) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["harness"] = &clientcmdapi.Cluster{Server: server, CertificateAuthority: pki.caCert}
	cfg.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificate: pki.adminCert, ClientKey: pki.adminKey}
	cfg.Contexts["harness"] = &clientcmdapi.Context{Cluster: "harness", AuthInfo: "admin"}
	cfg.CurrentContext = "harness"
	return clientcmd.WriteToFile(*cfg, path)
}

func mustURL(s string) []url.URL {
	u, err := url.Parse(s)
	if err != nil {
		fail(err.Error())
	}
	return []url.URL{*u}
}
