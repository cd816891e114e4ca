;;; eglot.el --- end-to-end test of dmabuf-lens in Emacs with Eglot  -*- lexical-binding: t -*-

;; Debian's Emacs 28 with elpa-eglot (Eglot 1.9; Emacs 29 and later have Eglot built in)
;; against `node dist/server.js --stdio'.  Opens a copy of samples/02, waits for the
;; diagnostics, asserts acs-redirect (as Flymake gets it from Eglot), asks for a hover on
;; the share and asserts THRU_HOST_BRIDGE.
;;
;;   DMABUF_SERVER=dist/server.js E2E_FILE=/tmp/ws/02-vfio-switch-iommu.dmabuf \
;;     emacs --batch -l test/e2e/eglot.el
;;
;; Exits 0 when every check passes, 1 otherwise.

;;; Code:

(require 'cl-lib)
(require 'eglot)
(require 'flymake)

(defvar dmabuf-e2e--t0 (float-time))

(defun dmabuf-e2e--log (fmt &rest args)
  "Print FMT with ARGS on stdout, with the time since the start."
  (princ (format "emacs-e2e [%.1fs] %s\n" (- (float-time) dmabuf-e2e--t0) (apply #'format fmt args))))

(defun dmabuf-e2e--finish (ok &optional why)
  "Shut the servers down and exit with 0 when OK, else 1 (after printing WHY)."
  (dmabuf-e2e--log "%s%s" (if ok "PASS" "FAIL") (if why (concat ": " why) ""))
  (dolist (server (hash-table-values eglot--servers-by-project))
    (dolist (s server) (ignore-errors (eglot-shutdown s))))
  (kill-emacs (if ok 0 1)))

(defun dmabuf-e2e--wait (what timeout pred)
  "Poll PRED, running timers and process output, until non-nil or TIMEOUT seconds.
Returns PRED's value, or fails the test with WHAT."
  (let ((deadline (+ (float-time) timeout)) value)
    (while (and (not (setq value (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or value (dmabuf-e2e--finish nil (format "timed out after %ss waiting for %s" timeout what)))))

;; ------------------------------------------------ docs/editors.md, Emacs (there the command is
;; ("dmabuf-language-server" "--stdio"))
(defvar dmabuf-mode-syntax-table
  (let ((st (make-syntax-table)))
    (modify-syntax-entry ?/ ". 124b" st)
    (modify-syntax-entry ?* ". 23" st)
    (modify-syntax-entry ?\n "> b" st)
    (modify-syntax-entry ?_ "_" st)
    st)
  "Syntax table of `dmabuf-mode': // and /* */ comments.")

(define-derived-mode dmabuf-mode prog-mode "dmabuf"
  "Major mode for dma-buf designs (*.dmabuf)."
  (setq-local comment-start "// ")
  (setq-local comment-end ""))

(add-to-list 'auto-mode-alist '("\\.dmabuf\\'" . dmabuf-mode))

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               `(dmabuf-mode . ("node" ,(expand-file-name (or (getenv "DMABUF_SERVER") "dist/server.js")) "--stdio"))))

(add-hook 'dmabuf-mode-hook #'eglot-ensure)
;; ------------------------------------------------ end of the configuration

(defun dmabuf-e2e--run ()
  "The test."
  (let ((file (or (getenv "E2E_FILE") (error "E2E_FILE (a copy of samples/02-vfio-switch-iommu.dmabuf) is not set"))))
    (unless (getenv "DMABUF_SERVER") (error "DMABUF_SERVER (the path of dist/server.js) is not set"))
    (dmabuf-e2e--log "Emacs %s, Eglot from %s" emacs-version
                     (file-name-directory (or (locate-library "eglot") "?")))
    (find-file file)
    (unless (eq major-mode 'dmabuf-mode) (error "%s opened in %s, not dmabuf-mode" file major-mode))
    ;; `eglot-ensure' (on the mode hook) connects after the current command; there is no
    ;; command loop in batch mode, so end "the command" here.
    (run-hooks 'post-command-hook)
    (dmabuf-e2e--wait "Eglot to manage the buffer" 30 (lambda () (bound-and-true-p eglot--managed-mode)))
    (let* ((codes (lambda ()
                    (delete-dups
                     (mapcar (lambda (d)
                               (let ((lsp (alist-get 'eglot-lsp-diag (flymake-diagnostic-data d))))
                                 (format "%s" (plist-get lsp :code))))
                             (append eglot--diagnostics (flymake-diagnostics))))))
           (found (dmabuf-e2e--wait "the acs-redirect diagnostic" 30
                                    (lambda () (let ((c (funcall codes))) (and (member "acs-redirect" c) c))))))
      (dmabuf-e2e--log "diagnostics: %s (Flymake has %d)" (string-join found ", ") (length (flymake-diagnostics)))
      (unless (member "p2p-host-bridge" found) (dmabuf-e2e--finish nil "no p2p-host-bridge diagnostic")))
    ;; Hover on the share name, as eldoc asks for it.
    (goto-char (point-min))
    (unless (re-search-forward "^share \\(doorbells\\)" nil t) (dmabuf-e2e--finish nil "no share line"))
    (goto-char (match-beginning 1))
    (let* ((result (jsonrpc-request (eglot--current-server-or-lose) :textDocument/hover
                                    (eglot--TextDocumentPositionParams)))
           (contents (plist-get result :contents))
           (text (if (stringp contents) contents (or (plist-get contents :value) (format "%S" contents)))))
      (unless (string-match-p "THRU_HOST_BRIDGE" text)
        (dmabuf-e2e--finish nil (concat "the hover does not say THRU_HOST_BRIDGE: " text)))
      (dmabuf-e2e--log "hover at %d:%d says THRU_HOST_BRIDGE (%d characters of markdown)"
                       (line-number-at-pos) (1+ (current-column)) (length text)))
    (dmabuf-e2e--finish t)))

(condition-case err
    (dmabuf-e2e--run)
  (error (dmabuf-e2e--finish nil (error-message-string err))))

;;; eglot.el ends here
