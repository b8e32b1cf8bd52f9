# debian/: the Debian packaging (mlgate, mlgate-dev, mlgate-sandbox) and
# `make deb`, which builds them from the distribution tarball (so a
# developer's configured tree is left alone) into deb/, then lints them.
EXTRA_DIST += debian/changelog debian/control debian/copyright \
	debian/rules debian/source/format debian/mlgate.install \
	debian/mlgate.docs debian/mlgate-dev.install \
	debian/mlgate-sandbox.install debian/not-installed \
	debian/tests/control debian/tests/demo debian/tests/sdk-example \
	debian/tests/installed debian/debian.mk

DEB_DIR = $(abs_top_builddir)/deb
# CI sets DEB_BUILD_OPTIONS=nocheck: the suite has already run there.
deb: dist-gzip
	rm -rf $(DEB_DIR) && $(MKDIR_P) $(DEB_DIR)/build
	tar -xzf $(distdir).tar.gz -C $(DEB_DIR)/build
	cd $(DEB_DIR)/build/$(distdir) && \
	  dpkg-buildpackage -us -uc -b >$(DEB_DIR)/build.log 2>&1 || \
	  { tail -n 40 $(DEB_DIR)/build.log; exit 1; }
	@# The packages build with --disable-werror (new compilers must not
	@# break them), so compiler warnings are refused here instead.
	@if grep -E '\.[ch]:[0-9]+:[0-9]+: warning:' $(DEB_DIR)/build.log; then \
	  echo "make deb: compiler warnings (see deb/build.log)"; exit 1; fi
	mv $(DEB_DIR)/build/*.deb $(DEB_DIR)/build/*.changes \
	  $(DEB_DIR)/build/*.buildinfo $(DEB_DIR)/
	rm -rf $(DEB_DIR)/build
	lintian --fail-on error --info $(DEB_DIR)/*.changes
	@ls -l $(DEB_DIR)/*.deb
.PHONY: deb
