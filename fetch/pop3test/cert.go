package pop3test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"time"
)

// Certificate is a server certificate made for tests: self-signed, or
// issued by another Certificate.
type Certificate struct {
	CertPEM, KeyPEM []byte
	TrustPEM        []byte         // what a client trusts (its CA file): CertPEM, or its issuer's
	Pool            *x509.CertPool // trusts the certificate, for a client's RootCAs
	Server          *tls.Config    // serves it

	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// NewCertificate makes a self-signed certificate valid for a day for hosts
// (default 127.0.0.1 and localhost). It may sign others: see Issue.
func NewCertificate(hosts ...string) Certificate { return makeCertificate(Certificate{}, hosts) }

// Issue makes a certificate for hosts signed by c, so that a client that
// trusts c (a CA file) trusts it: the way to test host-name checks apart
// from chain checks. Its Pool trusts c.
func (c Certificate) Issue(hosts ...string) Certificate { return makeCertificate(c, hosts) }

func makeCertificate(issuer Certificate, hosts []string) Certificate {
	if len(hosts) == 0 {
		hosts = []string{"127.0.0.1", "localhost"}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic("pop3test: key: " + err.Error())
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: hosts[0]},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	parent, signer := tmpl, key
	if issuer.cert != nil {
		parent, signer = issuer.cert, issuer.key
		tmpl.IsCA = false
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		panic("pop3test: certificate: " + err.Error())
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		panic("pop3test: key: " + err.Error())
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	chain := [][]byte{der}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	trust := certPEM
	if issuer.cert != nil {
		pool, trust = issuer.Pool, issuer.CertPEM
		chain = append(chain, issuer.cert.Raw)
	}
	return Certificate{
		CertPEM:  certPEM,
		TrustPEM: trust,
		KeyPEM:   pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
		Pool:     pool,
		Server:   &tls.Config{Certificates: []tls.Certificate{{Certificate: chain, PrivateKey: key, Leaf: cert}}},
		cert:     cert,
		key:      key,
	}
}

// SetCertificate makes an unstarted server present c.
func (s *Server) SetCertificate(c Certificate) {
	s.cert = c
}
