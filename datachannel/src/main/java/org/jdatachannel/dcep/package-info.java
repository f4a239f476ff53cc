/**
 * Data Channel Establishment Protocol messages (RFC 8832 §5): immutable records with
 * {@code parse} (from an exactly-sized slice, checked {@link org.jdatachannel.dcep.DcepParseException}
 * on malformed input) and {@code serializeTo}. The protocol logic that uses them lives in
 * {@code org.jdatachannel.internal.ChannelManager}.
 */
package org.jdatachannel.dcep;
