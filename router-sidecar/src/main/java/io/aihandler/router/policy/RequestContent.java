package io.aihandler.router.policy;

/**
 * What the detectors can read of one request.
 *
 * @param text every key and value of the request except the top-level {@code model} selector,
 *     normalised ({@link TextNormalizer}), one per line; empty when the text was not asked for
 * @param unscannable whether the request carries content the detectors cannot read: an image, audio
 *     or file part, a data URL, or embedded JSON nested too deep to decode
 */
record RequestContent(String text, boolean unscannable) {}
