package dovecot

import "testing"

// The ports given to one Dovecot differ: each chosen port is held until
// all are chosen. (Ports taken and let go one at a time come back
// repeated within a few hundred: Dovecot then refused to start with
// "duplicate listener".)
func TestFreePortsDiffer(t *testing.T) {
	ports, err := freePorts(500)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if seen[p] {
			t.Fatalf("port %d given twice", p)
		}
		seen[p] = true
	}
}
