package org.jdatachannel.sctp;

/**
 * Test-only window into an {@link Association}'s package-private diagnostics, for test packages
 * other than {@code org.jdatachannel.sctp} (the fuzz targets). Not thread-safe, like the association.
 */
public final class AssociationProbe {
    private AssociationProbe() {
    }

    /**
     * Sizes of the structures a peer can make grow; see the fields of {@code Association.Footprint}.
     */
    public record Footprint(long reassemblyBytes, int reassemblyEntries, int trackedTsns, int duplicateTsns,
            int controlChunks, int outputs, int deferredResets) {
    }

    /** @return how many internal errors (caught unchecked exceptions, i.e. bugs) {@code a} logged */
    public static int internalErrors(Association a) {
        return a.internalErrorCount();
    }

    /** @return the association's current footprint */
    public static Footprint footprint(Association a) {
        Association.Footprint f = a.footprint();
        return new Footprint(f.reassemblyBytes(), f.reassemblyEntries(), f.trackedTsns(), f.duplicateTsns(),
                f.controlChunks(), f.outputs(), f.deferredResets());
    }

    /** @return a one-line summary of the internal state */
    public static String debugState(Association a) {
        return a.debugState();
    }
}
