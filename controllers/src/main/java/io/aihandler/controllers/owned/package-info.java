/**
 * What the operator owns and how it writes it: the one applier ({@link
 * io.aihandler.controllers.owned.OwnedObjectApplier}, one field manager for every primary kind),
 * the controlling owner reference and the labels every built object carries.
 */
package io.aihandler.controllers.owned;
