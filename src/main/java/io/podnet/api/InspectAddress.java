package io.podnet.api;

/** An address and its prefix length, as podman's inspect lists secondary addresses. */
public class InspectAddress {
    private String addr;
    private int prefixLength;

    public InspectAddress() {
    }

    public InspectAddress(String addr, int prefixLength) {
        this.addr = addr;
        this.prefixLength = prefixLength;
    }

    public String getAddr() {
        return addr;
    }

    public void setAddr(String addr) {
        this.addr = addr;
    }

    public int getPrefixLength() {
        return prefixLength;
    }

    public void setPrefixLength(int prefixLength) {
        this.prefixLength = prefixLength;
    }
}
