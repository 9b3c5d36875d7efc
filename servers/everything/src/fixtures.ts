/** A 1x1 red PNG pixel, base64: the image every image-bearing tool, resource and prompt returns. */
export const PNG_PIXEL_BASE64: string =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

/** Builds a silent 8 kHz mono 16-bit PCM WAV file with `sampleCount` samples. */
function silentWav(sampleCount: number): Buffer {
  const dataBytes = sampleCount * 2;
  const wav = Buffer.alloc(44 + dataBytes);
  wav.write("RIFF", 0, "ascii");
  wav.writeUInt32LE(36 + dataBytes, 4);
  wav.write("WAVEfmt ", 8, "ascii");
  wav.writeUInt32LE(16, 16); // fmt chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(8000, 24); // sample rate
  wav.writeUInt32LE(16000, 28); // byte rate
  wav.writeUInt16LE(2, 32); // block align
  wav.writeUInt16LE(16, 34); // bits per sample
  wav.write("data", 36, "ascii");
  wav.writeUInt32LE(dataBytes, 40);
  return wav;
}

/** A tiny silent WAV clip, base64. */
export const SILENT_WAV_BASE64: string = silentWav(1).toString("base64");

/** Text of the `test://embedded-resource` resource embedded by tools and prompts. */
export const EMBEDDED_RESOURCE_TEXT = "This is an embedded resource content.";

/** Shorthand for a tool result holding one text block. */
export function textResult(text: string): { content: [{ type: "text"; text: string }] } {
  return { content: [{ type: "text", text }] };
}
