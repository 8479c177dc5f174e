// French and English interface strings; the choice is kept per browser (localStorage).
const STRINGS = {
  fr: {
    "nav.skip": "Aller au contenu", "nav.queue": "File", "nav.draft": "Réfléchissez avant de poster",
    "nav.logout": "Se déconnecter", "nav.lang": "English", "nav.user": "Connecté : {0} ({1})",
    "login.intro": "Connectez-vous pour travailler la file.", "login.username": "Nom d'utilisateur",
    "login.password": "Mot de passe", "login.submit": "Se connecter", "login.failed": "Nom d'utilisateur ou mot de passe incorrect.",
    "queue.title": "File des cas", "queue.scopes": "Files", "queue.mine": "Ma file", "queue.all": "Tous mes cas",
    "queue.team": "Équipe {0}", "queue.empty": "Aucun cas ne correspond.", "queue.more": "Afficher plus",
    "queue.keys": "Clavier : j / k pour se déplacer, Entrée pour ouvrir, x pour cocher, / pour chercher.",
    "queue.new": "Nouveau", "queue.updated": "Modifié", "queue.refreshed": "File mise à jour.",
    "filter.label": "Étiquette", "filter.severity": "Gravité", "filter.state": "État", "filter.sla": "Échéance",
    "filter.lang": "Langue", "filter.platform": "Plateforme", "filter.search": "Recherche", "filter.sort": "Tri",
    "filter.any": "Toutes", "sort.deadline": "Échéance la plus proche", "sort.opened": "Plus anciens",
    "sort.-opened": "Plus récents", "sort.-updated": "Modifiés récemment",
    "col.case": "Cas", "col.labels": "Étiquettes", "col.summary": "Publication", "col.owner": "Équipe · responsable",
    "col.state": "État", "col.sla": "Échéance",
    "bulk.title": "Actions groupées", "bulk.select_all": "Tout cocher", "bulk.selected": "{0} cas cochés",
    "bulk.done": "{0} réussis, {1} refusés.", "bulk.none": "Cochez au moins un cas.",
    "action.acknowledge": "Prendre en charge", "action.assign": "Assigner", "action.assign_me": "M'assigner",
    "action.wait": "Mettre en attente", "action.resume": "Reprendre", "action.resolve": "Résoudre",
    "action.dismiss": "Écarter", "action.reopen": "Rouvrir", "action.note": "Ajouter la note",
    "action.relabel": "Corriger les étiquettes", "action.reason": "Raison (pour écarter)", "action.done": "C'est fait.",
    "action.reason_needed": "Indiquez une raison pour écarter.",
    "action.approve": "Approuver", "action.reject": "Renvoyer", "action.reject_reason": "Raison (pour renvoyer)",
    "action.reject_reason_needed": "Indiquez ce qui doit changer avant de fermer.",
    "review.pending": "{0} demande de {1} cette tâche ({2}). Une deuxième personne doit approuver ou renvoyer.",
    "review.self": "Vous avez fait la demande : une autre personne doit l'approuver.",
    "review.done": "Fermeture approuvée par {0} ({1}).", "review.resolve": "résoudre", "review.dismiss": "écarter",
    "sla.ok": "Dans les temps", "sla.at_risk": "Bientôt dû", "sla.breached": "En retard", "sla.paused": "En pause",
    "sla.met": "Respecté", "sla.none": "Sans échéance", "sla.left": "reste {0}", "sla.late": "retard {0}",
    "state.new": "Nouveau", "state.assigned": "Assigné", "state.acknowledged": "Pris en charge", "state.waiting": "En attente",
    "state.resolved": "Résolu", "state.dismissed": "Écarté", "state.reopened": "Rouvert", "state.pending_review": "À relire",
    "severity.critical": "Critique", "severity.high": "Élevée", "severity.normal": "Normale", "severity.low": "Faible",
    "case.back": "← Retour à la file", "case.posts": "Publications (ordre du fil)", "case.tasks": "Tâches par équipe",
    "case.notes": "Notes", "case.add_note": "Nouvelle note", "case.relabel": "Étiquettes", "case.audit": "Historique",
    "case.original": "Voir l'original", "case.evidence": "Preuves", "case.no_notes": "Aucune note.",
    "case.deadlines": "Échéances", "case.assignee": "Responsable", "case.nobody": "personne",
    "case.changed": "Quelqu'un d'autre a modifié ce cas (version {0}). Rechargez avant d'agir.",
    "case.reload": "Recharger", "case.review": "Cas à risque élevé : une deuxième personne doit approuver avant de résoudre ou d'écarter.",
    "case.restricted": "Accès restreint", "case.copy": "en copie", "case.owner": "responsable",
    "audit.at": "Quand", "audit.actor": "Qui", "audit.action": "Quoi", "audit.change": "Avant → après",
    "draft.title": "Réfléchissez avant de poster",
    "draft.intro": "Collez le brouillon de votre publication : Vigie montre ce qu'il signalerait, pourquoi, et ce que dit la politique.",
    "draft.privacy": "Rien de ce que vous tapez ici n'est conservé.", "draft.text": "Brouillon",
    "draft.auto": "Détection automatique", "draft.check": "Vérifier", "draft.result": "Ce que Vigie en pense",
    "draft.clean": "Rien à signaler. Relisez quand même : une publication peut rester en ligne pour toujours.",
    "draft.flagged": "{0} point(s) à revoir avant de publier.", "draft.unavailable": "La vérification n'est pas disponible sur ce serveur.",
    "draft.guidance": "Ce que dit la politique", "draft.score": "confiance {0}",
    "error.generic": "Erreur : {0}", "error.network": "Le serveur ne répond pas. Réessayez.",
  },
  en: {
    "nav.skip": "Skip to content", "nav.queue": "Queue", "nav.draft": "Think before you post",
    "nav.logout": "Log out", "nav.lang": "Français", "nav.user": "Signed in: {0} ({1})",
    "login.intro": "Sign in to work the queue.", "login.username": "Username",
    "login.password": "Password", "login.submit": "Sign in", "login.failed": "Wrong username or password.",
    "queue.title": "Case queue", "queue.scopes": "Queues", "queue.mine": "My queue", "queue.all": "All my cases",
    "queue.team": "Team {0}", "queue.empty": "No case matches.", "queue.more": "Show more",
    "queue.keys": "Keyboard: j / k to move, Enter to open, x to select, / to search.",
    "queue.new": "New", "queue.updated": "Updated", "queue.refreshed": "Queue refreshed.",
    "filter.label": "Label", "filter.severity": "Severity", "filter.state": "State", "filter.sla": "Deadline",
    "filter.lang": "Language", "filter.platform": "Platform", "filter.search": "Search", "filter.sort": "Sort",
    "filter.any": "Any", "sort.deadline": "Nearest deadline", "sort.opened": "Oldest first",
    "sort.-opened": "Newest first", "sort.-updated": "Recently updated",
    "col.case": "Case", "col.labels": "Labels", "col.summary": "Post", "col.owner": "Team · assignee",
    "col.state": "State", "col.sla": "Deadline",
    "bulk.title": "Bulk actions", "bulk.select_all": "Select all", "bulk.selected": "{0} cases selected",
    "bulk.done": "{0} done, {1} refused.", "bulk.none": "Select at least one case.",
    "action.acknowledge": "Acknowledge", "action.assign": "Assign", "action.assign_me": "Assign to me",
    "action.wait": "Wait", "action.resume": "Resume", "action.resolve": "Resolve",
    "action.dismiss": "Dismiss", "action.reopen": "Reopen", "action.note": "Add note",
    "action.relabel": "Correct the labels", "action.reason": "Reason (to dismiss)", "action.done": "Done.",
    "action.reason_needed": "Give a reason to dismiss.",
    "action.approve": "Approve", "action.reject": "Send back", "action.reject_reason": "Reason (to send back)",
    "action.reject_reason_needed": "Say what must change before closing.",
    "review.pending": "{0} asked to {1} this task ({2}). A second person must approve it or send it back.",
    "review.self": "You asked for it: someone else must approve it.",
    "review.done": "Closing approved by {0} ({1}).", "review.resolve": "resolve", "review.dismiss": "dismiss",
    "sla.ok": "On time", "sla.at_risk": "Due soon", "sla.breached": "Overdue", "sla.paused": "Paused",
    "sla.met": "Met", "sla.none": "No deadline", "sla.left": "{0} left", "sla.late": "{0} late",
    "state.new": "New", "state.assigned": "Assigned", "state.acknowledged": "Acknowledged", "state.waiting": "Waiting",
    "state.resolved": "Resolved", "state.dismissed": "Dismissed", "state.reopened": "Reopened", "state.pending_review": "Pending review",
    "severity.critical": "Critical", "severity.high": "High", "severity.normal": "Normal", "severity.low": "Low",
    "case.back": "← Back to the queue", "case.posts": "Posts (thread order)", "case.tasks": "Tasks per team",
    "case.notes": "Notes", "case.add_note": "New note", "case.relabel": "Labels", "case.audit": "Audit trail",
    "case.original": "See the original", "case.evidence": "Evidence", "case.no_notes": "No notes yet.",
    "case.deadlines": "Deadlines", "case.assignee": "Assignee", "case.nobody": "nobody",
    "case.changed": "Someone else changed this case (version {0}). Reload before acting.",
    "case.reload": "Reload", "case.review": "High-risk case: a second person must approve before it is resolved or dismissed.",
    "case.restricted": "Restricted", "case.copy": "in copy", "case.owner": "owner",
    "audit.at": "When", "audit.actor": "Who", "audit.action": "What", "audit.change": "Before → after",
    "draft.title": "Think before you post",
    "draft.intro": "Paste the draft of your post: Vigie shows what it would flag, why, and what the policy says.",
    "draft.privacy": "Nothing you type here is stored.", "draft.text": "Draft",
    "draft.auto": "Detect automatically", "draft.check": "Check", "draft.result": "What Vigie sees",
    "draft.clean": "Nothing flagged. Read it once more anyway: a post can stay online forever.",
    "draft.flagged": "{0} point(s) to review before posting.", "draft.unavailable": "The check is not available on this server.",
    "draft.guidance": "What the policy says", "draft.score": "confidence {0}",
    "error.generic": "Error: {0}", "error.network": "The server does not answer. Try again.",
  },
};

export const LABELS = {
  complaint: { fr: "Plainte", en: "Complaint" },
  press_inquiry: { fr: "Demande des médias", en: "Press inquiry" },
  rumour: { fr: "Rumeur", en: "Rumour" },
  risky_disclosure: { fr: "Divulgation à risque", en: "Risky disclosure" },
  investor_sensitive: { fr: "Sensible pour les investisseurs", en: "Investor-sensitive" },
  copyright: { fr: "Droit d'auteur", en: "Copyright" },
  harassment: { fr: "Intimidation", en: "Harassment" },
  security_threat: { fr: "Menace de sécurité", en: "Security threat" },
  personal_data_exposed: { fr: "Données personnelles exposées", en: "Personal data exposed" },
  missing_disclaimer: { fr: "Avertissement manquant", en: "Missing disclaimer" },
  triage: { fr: "Tri", en: "Triage" },
};

export function currentLang() {
  const chosen = localStorage.getItem("vigie.lang");
  if (chosen === "fr" || chosen === "en") return chosen;
  return (navigator.language || "fr").toLowerCase().startsWith("en") ? "en" : "fr";
}

export function t(key, ...args) {
  const text = STRINGS[currentLang()][key] ?? STRINGS.fr[key] ?? key;
  return text.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)] ?? ""));
}

export function labelName(label) {
  return LABELS[label]?.[currentLang()] ?? label;
}

export function applyI18n(root = document) {
  document.documentElement.lang = currentLang();
  root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll("[data-i18n-label]").forEach((el) => el.setAttribute("aria-label", t(el.dataset.i18nLabel)));
  root.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  root.querySelectorAll("[data-lang-switch]").forEach((el) => {
    el.textContent = t("nav.lang");
    el.onclick = () => { localStorage.setItem("vigie.lang", currentLang() === "fr" ? "en" : "fr"); location.reload(); };
  });
}
